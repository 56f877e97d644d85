import Foundation
import XCTest

extension XCTestCase {
    /// A fresh empty directory for one test, removed when the test ends.
    public func makeIOTestDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("converge-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
