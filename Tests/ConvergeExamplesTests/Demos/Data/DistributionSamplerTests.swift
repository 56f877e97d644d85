import XCTest
@testable import ConvergeExamples
import Converge

final class DistributionSamplerTests: XCTestCase {
    func testMomentsOfEachDistribution() {
        var s = DistributionSampler(seed: 11)
        let n = 40_000
        let normals = (0..<n).map { _ in s.normal() }
        let mean = normals.reduce(0, +) / Double(n)
        let variance = normals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.02)
        XCTAssertEqual(variance, 1, accuracy: 0.03)
        XCTAssertEqual((0..<n).map { _ in s.exponential(mean: 2) }.reduce(0, +) / Double(n), 2, accuracy: 0.05)
        XCTAssertEqual(Double((0..<n).map { _ in s.poisson(mean: 1.2) }.reduce(0, +)) / Double(n), 1.2, accuracy: 0.03)
        let picks = (0..<n).map { _ in s.categorical([0.5, 0.3, 0.2]) }
        XCTAssertEqual(Double(picks.filter { $0 == 2 }.count) / Double(n), 0.2, accuracy: 0.01)
        XCTAssertTrue((0..<1000).map { _ in s.uniform(3, 4) }.allSatisfy { (3..<4).contains($0) })
    }

    func testSeeded() {
        var a = DistributionSampler(seed: 5)
        var b = DistributionSampler(seed: 5)
        XCTAssertEqual((0..<5).map { _ in a.normal() }, (0..<5).map { _ in b.normal() })
    }
}
