#!/usr/bin/env bash
# Checks that Converge works as a versioned SwiftPM dependency, as a user would add it:
#   1. clones this repository (its committed HEAD) into a temporary folder and tags the clone
#      with the version `converge --version` reports (Sources/Converge/Info/ConvergeVersion.swift);
#   2. creates a package outside the repository whose Package.swift depends on Converge
#      `from:` that version, through the clone's file URL;
#   3. builds it in debug and in release, and runs the README's first Swift snippet
#      ("Using it from Swift") in both.
# Slow (two builds of the library from scratch); not part of `make test`.
# Usage: scripts/check-consumer.sh [--keep]   (--keep leaves the temporary folder in place)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
swift="${SWIFT:-swift}"
work="$(mktemp -d "${TMPDIR:-/tmp}/converge-consumer.XXXXXX")"
[[ "${1:-}" == "--keep" ]] || trap 'rm -rf "$work"' EXIT

version="$(sed -n 's/.*static let current = "\([0-9.]*\)".*/\1/p' "$root/Sources/Converge/Info/ConvergeVersion.swift")"
[[ -n "$version" ]] || { echo "check-consumer: cannot read the version from ConvergeVersion.swift" >&2; exit 1; }

echo "== clone $root (HEAD $(git -C "$root" rev-parse --short HEAD)) into $work/Converge, tag $version"
git clone --quiet "$root" "$work/Converge"
git -C "$work/Converge" tag -f "$version" >/dev/null
if ! git -C "$root" diff --quiet HEAD -- 2>/dev/null; then
    echo "   (note: uncommitted changes in $root are not part of the check)"
fi

echo "== consumer package $work/Consumer: .package(url: \"file://$work/Converge\", from: \"$version\")"
mkdir -p "$work/Consumer/Sources/Consumer"
cat > "$work/Consumer/Package.swift" <<MANIFEST
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "file://$work/Converge", from: "$version"),
    ],
    targets: [
        .executableTarget(name: "Consumer", dependencies: [.product(name: "Converge", package: "Converge")]),
    ]
)
MANIFEST
# The README's first Swift block after "## Using it from Swift", as the program's body.
awk '/^## Using it from Swift/ { on = 1 } on && /^```swift/ { inside = 1; next } inside && /^```/ { exit } inside { print }' \
    "$root/README.md" > "$work/Consumer/Sources/Consumer/main.swift"
[[ -s "$work/Consumer/Sources/Consumer/main.swift" ]] || { echo "check-consumer: no Swift snippet found in README.md" >&2; exit 1; }
cat >> "$work/Consumer/Sources/Consumer/main.swift" <<'SWIFT'

// Added by check-consumer.sh: show that the snippet ran and trained something.
let finalLoss = binaryCrossEntropy(logits: model(x), targets: y).item()
print("README snippet ran: \(model.parameterCount) parameters, final training loss \(finalLoss)")
SWIFT
echo "   main.swift: $(wc -l < "$work/Consumer/Sources/Consumer/main.swift") lines (the README snippet + 3)"

for configuration in debug release; do
    echo "== swift build -c $configuration"
    start=$SECONDS
    "$swift" build --package-path "$work/Consumer" -c "$configuration" 2>&1 | tail -n 3
    echo "   built in $((SECONDS - start)) s"
    echo "== run ($configuration)"
    "$work/Consumer/.build/$configuration/Consumer"
done
resolved="$(grep -o '"version" *: *"[^"]*"' "$work/Consumer/Package.resolved" 2>/dev/null | head -n 5 | tr '\n' ' ')"
echo "== resolved: ${resolved:-?}"
echo "check-consumer: OK (Converge $version as a versioned dependency, debug and release)"
