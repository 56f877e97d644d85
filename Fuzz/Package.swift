// swift-tools-version:6.0
// libFuzzer targets for Converge's file readers. Not part of the Converge package (whose manifest
// stays free of build flags): build and run them with `scripts/fuzz.sh`, which passes
// `--sanitize=fuzzer --sanitize=address`. Each target is one file whose
// `LLVMFuzzerTestOneInput` feeds the fuzzer's bytes to one reader through its public API.
import PackageDescription

let package = Package(
    name: "ConvergeFuzz",
    dependencies: [.package(name: "Converge", path: "..")],
    targets: [
        .executableTarget(name: "FuzzCSV", dependencies: [.product(name: "Converge", package: "Converge")]),
        .executableTarget(name: "FuzzRecipe", dependencies: [.product(name: "Converge", package: "Converge")]),
        .executableTarget(name: "FuzzSafetensors", dependencies: [.product(name: "Converge", package: "Converge")]),
        .executableTarget(name: "FuzzNPY", dependencies: [.product(name: "Converge", package: "Converge")]),
        .executableTarget(name: "FuzzCheckpoint", dependencies: [.product(name: "Converge", package: "Converge")]),
    ],
    swiftLanguageModes: [.v5]
)
