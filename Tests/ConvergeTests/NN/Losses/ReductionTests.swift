import XCTest
@testable import Converge

final class ReductionTests: XCTestCase {
    func testReduceAndUpstream() {
        let values = Tensor([1, 2, 3, 6])
        XCTAssertEqual(LossReduction.reduce(values, .none, denominator: 4).scalars, [1, 2, 3, 6])
        XCTAssertEqual(LossReduction.reduce(values, .sum, denominator: 4).shape, [])
        XCTAssertEqual(LossReduction.reduce(values, .sum, denominator: 4).item(), 12)
        XCTAssertEqual(LossReduction.reduce(values, .mean, denominator: 3).item(), 4)
        XCTAssertTrue(LossReduction.reduce(Tensor([Float]()), .mean, denominator: 0).item().isNaN)
        XCTAssertEqual(LossReduction.upstream(Tensor([5, 7]), .none, denominator: 2)(1), 7)
        XCTAssertEqual(LossReduction.upstream(Tensor(6), .sum, denominator: 2)(0), 6)
        XCTAssertEqual(LossReduction.upstream(Tensor(6), .mean, denominator: 2)(1), 3)
    }
}
