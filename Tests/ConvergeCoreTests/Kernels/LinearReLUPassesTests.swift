import XCTest
@testable import ConvergeCore

/// The float32 Linear + ReLU passes (`cv_linear_relu.c`) against `Activation.relu`'s scalar rules,
/// at every vector level, with NaN, ±0, ∞ and ragged lengths.
final class LinearReLUPassesTests: XCTestCase {
    func testReLUAndItsBackwardMatchTheScalarRulesAtEveryLevel() {
        let awkward = VectorISATests.awkwardFloats
        for count in [1, 15, 16, 17, 100] {
            let x = (0..<count).map { awkward[($0 * 13) % awkward.count] }
            let g = (0..<count).map { Float($0) - 7.5 }
            let forward = x.map { ($0 > 0 ? $0 : 0).bitPattern }
            let backward = (0..<count).map { (x[$0] > 0 ? g[$0] : 0).bitPattern }
            VectorISATests.atEachLevel { level in
                var y = x + [42]
                Kernels.linearReLUInPlace(&y, count: count)
                XCTAssertEqual(y.prefix(count).map(\.bitPattern), forward, "\(level) count \(count)")
                XCTAssertEqual(y.last, 42, "\(level) wrote past the end")
                var out = [Float](repeating: 42, count: count + 1)
                Kernels.linearReLUBackward(g, output: x, into: &out, count: count)
                XCTAssertEqual(out.prefix(count).map(\.bitPattern), backward, "\(level) count \(count)")
                XCTAssertEqual(out.last, 42, "\(level) wrote past the end")
            }
        }
    }
}
