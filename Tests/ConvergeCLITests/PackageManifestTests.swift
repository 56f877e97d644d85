import Foundation
import XCTest

/// Checks on Package.swift that keep Converge usable as a versioned dependency.
final class PackageManifestTests: XCTestCase {
    var manifest: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        }
    }

    /// SwiftPM refuses `.package(url:from:)` on a package whose products use unsafe flags.
    func testManifestHasNoUnsafeFlags() throws {
        let text = try manifest
        XCTAssertTrue(text.contains(".library(name: \"Converge\""), "not the Converge manifest")
        XCTAssertFalse(text.contains("unsafeFlags"), "Package.swift must not use unsafeFlags")
    }
}
