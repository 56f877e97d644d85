@testable import ConvergeCore
import XCTest

final class BackwardTests: XCTestCase {
    func testGradientsAccumulateUntilZeroed() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [5, 5, 5])
        x.zeroGrad()
        XCTAssertNil(x.grad)
        (x * 4).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [4, 4, 4])
    }

    func testLeafUsedTwiceGetsTheSummedGradient() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        (x * x + x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [3, 5, 7])
        x.zeroGrad()
        // Diamond: two branches of one intermediate meet again.
        let h = x.exp()
        (h * 2 + h.sqrt()).sum().backward()
        let expected = x.scalars.map { 2 * Foundation.exp($0) + 0.5 * Foundation.exp($0 / 2) }
        for (g, e) in zip(x.grad!.scalars, expected) { XCTAssertEqual(g, e, accuracy: 1e-4) }
    }

    func testSameTensorOnBothSidesOfAnAdd() {
        let x = Tensor([1, -2], requiresGrad: true)
        let y = x + x
        (y + y).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [4, 4])
    }

    func testDetachedStopsGradients() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = (x * x.detached()).sum()
        y.backward()
        XCTAssertEqual(x.grad?.scalars, [1, 2])
        XCTAssertFalse(x.detached().requiresGrad)
        XCTAssertTrue(x.detached().isLeaf)
    }

    func testNoGradRecordsNothing() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = withNoGrad { (x * 2).exp().sum() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(y.isLeaf)
        XCTAssertNil(y.operationName)
        XCTAssertTrue(GradMode.isEnabled)
        let z = withNoGrad { withGrad { x * 2 } }
        XCTAssertTrue(z.requiresGrad)
        XCTAssertEqual(z.operationName, "mul")
    }

    func testOnlyLeavesReceiveGrad() {
        let x = Tensor([1, 2], requiresGrad: true)
        let h = x * 3
        h.sum().backward()
        XCTAssertNil(h.grad)
        XCTAssertEqual(x.grad?.scalars, [3, 3])
        let constant = Tensor([5, 5])
        (x * constant).sum().backward()
        XCTAssertNil(constant.grad)
    }

    func testGraphIsFreedAfterBackward() {
        let x = Tensor([0.5, 1.5], requiresGrad: true)
        weak var intermediate: Tensor?
        let loss: Tensor = {
            let h = x.exp()
            intermediate = h
            return (h * 2).sum()
        }()
        XCTAssertNotNil(intermediate, "the graph keeps the intermediate alive before backward")
        loss.backward()
        XCTAssertNil(intermediate, "backward must release the graph")
        XCTAssertTrue(loss.node?.inputs.isEmpty ?? true)
        XCTAssertThrowsError(try loss.validateBackward(nil)) { error in
            XCTAssertEqual(error as? BackwardError, .graphFreed(op: "sum"))
            XCTAssertTrue("\(error)".contains("retainGraph"))
        }
    }

    func testFreedGraphBelowANewOutputIsReported() {
        let x = Tensor([1, 2], requiresGrad: true)
        let h = x.exp()
        h.sum().backward()
        let again = (h * 2).sum()
        XCTAssertNoThrow(try again.validateBackward(nil))
        XCTAssertThrowsError(try again.topologicalOrder()) { error in
            XCTAssertEqual(error as? BackwardError, .graphFreed(op: "exp"))
        }
    }

    func testRetainGraphAllowsASecondBackward() {
        let x = Tensor([1, 2], requiresGrad: true)
        weak var intermediate: Tensor?
        let loss: Tensor = {
            let h = x * x
            intermediate = h
            return h.sum()
        }()
        loss.backward(retainGraph: true)
        XCTAssertNotNil(intermediate)
        loss.backward()
        XCTAssertEqual(x.grad?.scalars, [4, 8])
        XCTAssertNil(intermediate)
    }

    func testBackwardValidationMessages() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = x * 2
        XCTAssertThrowsError(try y.validateBackward(nil)) { error in
            XCTAssertEqual(error as? BackwardError, .nonScalarWithoutGradient(shape: [2]))
            XCTAssertEqual("\(error)", BackwardError.nonScalarWithoutGradient(shape: [2]).description)
            XCTAssertTrue("\(error)".contains("[2]"))
        }
        XCTAssertThrowsError(try y.validateBackward(Tensor([1, 2, 3]))) { error in
            XCTAssertEqual(error as? BackwardError, .gradientShapeMismatch(tensor: [2], gradient: [3]))
            XCTAssertTrue("\(error)".contains("[3]") && "\(error)".contains("[2]"))
        }
        XCTAssertThrowsError(try Tensor([1]).validateBackward(nil)) { error in
            XCTAssertEqual(error as? BackwardError, .doesNotRequireGrad)
        }
        XCTAssertNoThrow(try y.validateBackward(Tensor([1, 1])))
        XCTAssertNoThrow(try y.sum().validateBackward(nil))
        // A one-element non-scalar may omit the gradient, as in PyTorch.
        XCTAssertNoThrow(try (x.sum(alongAxis: 0, keepingDimensions: true)).validateBackward(nil))
    }

    func testNonScalarBackwardWithUpstreamGradient() {
        let x = Tensor([1, 2], requiresGrad: true)
        (x * 3).backward(Tensor([1, -1]))
        XCTAssertEqual(x.grad?.scalars, [3, -3])
    }

    func testCustomRecordedOp() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let out = Tensor(shape: [3], scalars: x.scalars.map { $0 * $0 * $0 })
        let cube = Tensor.recording(out, op: "cube", inputs: [x]) { g in [g * x * x * 3] }
        XCTAssertEqual(cube.operationName, "cube")
        cube.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [3, 12, 27])
        let untracked = withNoGrad { Tensor.recording(Tensor([1]), op: "noop", inputs: [x]) { g in [g] } }
        XCTAssertFalse(untracked.requiresGrad)
    }

    func testDeepChainDoesNotOverflowTheStack() {
        let x = Tensor([1], requiresGrad: true)
        var h = x
        for _ in 0..<20_000 { h = h * 1 }
        h.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [1])
    }

    func testDroppingADeepUnusedGraphDoesNotOverflowTheStack() {
        let x = Tensor([1], requiresGrad: true)
        weak var head: Tensor?
        do {
            var h = x
            for _ in 0..<100_000 { h = h * 1 }
            head = h
        }
        XCTAssertNil(head)
        XCTAssertNil(x.grad)
    }
}
