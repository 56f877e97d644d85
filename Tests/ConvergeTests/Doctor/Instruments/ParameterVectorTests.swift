import ConvergeCore
import XCTest
@testable import Converge

/// The instruments' vectorized reductions agree with plain sums, tails included.
final class ParameterVectorTests: XCTestCase {
    func testKernelsMatchPlainSumsAtEveryLength() {
        let g = RandomGenerator(seed: 8)
        for count in [0, 1, 15, 31, 32, 33, 100, 1027] {
            let x = (0..<count).map { _ in Float(g.nextUniformDouble() * 2 - 1) }
            let y = (0..<count).map { _ in Float(g.nextUniformDouble() * 2 - 1) }
            let z = (0..<count).map { _ in Float(g.nextUniformDouble() * 2 - 1) }
            var dot = 0.0, distance = 0.0, mixed = 0.0, norm = 0.0, quotient = 0.0, quotientNorm = 0.0
            var h = [Float](repeating: 0, count: count)
            for j in 0..<count {
                dot += Double(x[j]) * Double(y[j])
                distance += Double(x[j] - y[j]) * Double(x[j] - y[j])
                mixed += Double(z[j]) * Double(x[j] - y[j])
                norm += Double(y[j]) * Double(y[j])
                let q = Double((x[j] - y[j]) * 4)
                quotient += Double(z[j]) * q
                quotientNorm += q * q
            }
            x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in z.withUnsafeBufferPointer { z in
                let px = x.baseAddress ?? UnsafePointer(bitPattern: 8)!, py = y.baseAddress ?? UnsafePointer(bitPattern: 8)!
                let pz = z.baseAddress ?? UnsafePointer(bitPattern: 8)!
                XCTAssertEqual(ParameterVector.dot(px, py, count), dot, accuracy: 1e-4, "count \(count)")
                XCTAssertEqual(ParameterVector.squaredDistance(px, py, count), distance, accuracy: 1e-4, "count \(count)")
                XCTAssertEqual(ParameterVector.dotWithDifference(pz, px, py, count), mixed, accuracy: 1e-4, "count \(count)")
                let fused = ParameterVector.squaredDistanceAndNorm(px, py, count)
                XCTAssertEqual(fused.distance, distance, accuracy: 1e-4)
                XCTAssertEqual(fused.norm, norm, accuracy: 1e-4)
                // After the step p = x, before it t = y, gradient z.
                let step = ParameterVector.stepStatistics(px, py, pz, count)
                XCTAssertEqual(step.change, distance, accuracy: 1e-4)
                XCTAssertEqual(step.size, norm, accuracy: 1e-4)
                XCTAssertEqual(step.slope, mixed, accuracy: 1e-4)
                h.withUnsafeMutableBufferPointer { hb in
                    let ph = hb.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!
                    let r = ParameterVector.differenceQuotient(px, py, scale: 4, into: ph, against: pz, count)
                    XCTAssertEqual(r.dot, quotient, accuracy: 1e-3)
                    XCTAssertEqual(r.norm, quotientNorm, accuracy: 1e-2)
                }
            } } }
            for j in 0..<count { XCTAssertEqual(h[j], (x[j] - y[j]) * 4, accuracy: 1e-6) }
        }
    }

    func testCopiesAndWritesRoundTripThroughTheParameters() {
        let a = Tensor(shape: [3], scalars: [1, 2, 3]), b = Tensor(shape: [2, 2], scalars: [4, 5, 6, 7])
        var v = ParameterVector(shapedLike: [a, b])
        XCTAssertEqual(v.offsets, [0, 3, 7])
        v.copyValues(of: [a, b])
        XCTAssertEqual(v.storage, [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(v.squaredNorm, 140, accuracy: 1e-9)
        var direction = ParameterVector(shapedLike: [a, b])
        direction.storage = [1, 0, 0, 0, 0, 0, 1]
        v.write(to: [a, b], plus: 0.5, direction: direction)
        XCTAssertEqual(a.scalars, [1.5, 2, 3])
        XCTAssertEqual(b.scalars, [4, 5, 6, 7.5])
        var gradients = ParameterVector(shapedLike: [a, b])
        gradients.storage = [9, 9, 9, 9, 9, 9, 9]
        gradients.copyGradients(of: [a, b])
        XCTAssertEqual(gradients.storage, [0, 0, 0, 0, 0, 0, 0], "no gradient reads as zeros")
        v.normalize()
        XCTAssertEqual(v.squaredNorm, 1, accuracy: 1e-6)
    }
}
