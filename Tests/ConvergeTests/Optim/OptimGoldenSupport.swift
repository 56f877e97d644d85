import ConvergeTestSupport
import XCTest
@testable import Converge

/// `tanh` as a layer, for the golden model Linear(4,8)-Tanh-Linear(8,1).
final class GoldenTanh: Module {
    override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Replays the cases of `Fixtures/optim.json` (written by scripts/goldens/optim.py).
enum OptimGolden {
    static let golden: Golden = {
        do { return try Golden("optim", bundle: .module) } catch { fatalError("optim.json: \(error)") }
    }()

    static var caseNames: [String] { ((golden.lookup("configs") as? [String: Any]) ?? [:]).keys.sorted() }

    static func config(_ name: String) -> (kind: String, defaults: [String: Any], groups: [[String: Any]]) {
        guard let c = golden.lookup("configs/\(name)") as? [String: Any] else { fatalError("no config \(name)") }
        return (c["optimizer"] as! String, c["defaults"] as! [String: Any], c["groups"] as? [[String: Any]] ?? [])
    }

    private static func double(_ d: [String: Any], _ key: String) -> Double? { (d[key] as? NSNumber)?.doubleValue }
    private static func bool(_ d: [String: Any], _ key: String) -> Bool? { (d[key] as? NSNumber)?.boolValue }
    private static func betas(_ d: [String: Any]) -> (Double, Double)? {
        guard let b = d["betas"] as? [NSNumber] else { return nil }
        return (b[0].doubleValue, b[1].doubleValue)
    }

    /// The optimizer of case `name` over `parameters` (named, in order).
    /// With `forModel`, the config's `model_lr` (if any) replaces `lr` (see optim.py).
    static func makeOptimizer(_ name: String, parameters: [Tensor], forModel: Bool = false) -> Optimizer {
        let (kind, d, groupSpecs) = config(name)
        var groups = [ParameterGroup(parameters)]
        if !groupSpecs.isEmpty {
            groups = groupSpecs.map { spec in
                let decay = (spec["params"] as! String) == "decay"
                return ParameterGroup(parameters.filter { ($0.rank >= 2) == decay },
                                      learningRate: double(spec, "lr"), weightDecay: double(spec, "weight_decay"))
            }
        }
        let lr = (forModel ? double(d, "model_lr") : nil) ?? double(d, "lr")!
        switch kind {
        case "sgd":
            return SGD(groups, learningRate: lr, momentum: double(d, "momentum") ?? 0, dampening: double(d, "dampening") ?? 0,
                       weightDecay: double(d, "weight_decay") ?? 0, nesterov: bool(d, "nesterov") ?? false)
        case "adam":
            return Adam(groups, learningRate: lr, betas: betas(d) ?? (0.9, 0.999), eps: double(d, "eps") ?? 1e-8,
                        weightDecay: double(d, "weight_decay") ?? 0, amsgrad: bool(d, "amsgrad") ?? false)
        case "adamw":
            return AdamW(groups, learningRate: lr, betas: betas(d) ?? (0.9, 0.999), eps: double(d, "eps") ?? 1e-8,
                         weightDecay: double(d, "weight_decay") ?? 1e-2, amsgrad: bool(d, "amsgrad") ?? false)
        case "rmsprop":
            return RMSprop(groups, learningRate: lr, alpha: double(d, "alpha") ?? 0.99, eps: double(d, "eps") ?? 1e-8,
                           weightDecay: double(d, "weight_decay") ?? 0, momentum: double(d, "momentum") ?? 0,
                           centered: bool(d, "centered") ?? false)
        case "adagrad":
            return Adagrad(groups, learningRate: lr, learningRateDecay: double(d, "lr_decay") ?? 0,
                           weightDecay: double(d, "weight_decay") ?? 0,
                           initialAccumulatorValue: double(d, "initial_accumulator_value") ?? 0, eps: double(d, "eps") ?? 1e-10)
        default: fatalError("unknown optimizer kind \(kind)")
        }
    }

    /// Parameters of the fixed-gradient case: `w` [3, 4] and `b` [4].
    static func sequenceParameters() -> (w: Tensor, b: Tensor) {
        let w = golden.tensor("sequence/init/w")
        let b = golden.tensor("sequence/init/b")
        w.requiresGrad = true
        b.requiresGrad = true
        w.name = "w"
        b.name = "b"
        return (w, b)
    }

    /// Sets the gradients of the fixed sequence for `step`.
    static func setSequenceGradients(step: Int, w: Tensor, b: Tensor) {
        let gw = golden.tensor("sequence/grads/w").sliced(alongAxis: 0, step..<(step + 1)).reshaped([3, 4])
        let gb = golden.tensor("sequence/grads/b").sliced(alongAxis: 0, step..<(step + 1)).reshaped([4])
        w.grad = gw.copy()
        b.grad = gb.copy()
    }

    /// The golden model with its initial weights.
    static func model() -> Sequential {
        let model = Sequential { Linear(4, 8); GoldenTanh(); Linear(8, 1) }
        let names = ["0.weight", "0.bias", "2.weight", "2.bias"]
        try! model.loadStateDict(names.map { ($0, golden.tensor("model/init/\($0)")) })
        return model
    }

    /// Mean squared error of `model` on the golden data.
    static func loss(_ model: Module) -> Tensor {
        let diff = model(golden.tensor("model/x")) - golden.tensor("model/y")
        return (diff * diff).mean()
    }

    /// Trains `model` for `steps` full-batch steps with `optimizer`.
    static func train(_ model: Module, _ optimizer: Optimizer, steps: Int, schedule: (any LearningRateSchedule)? = nil,
                      firstStep: Int = 0) {
        for step in firstStep..<(firstStep + steps) {
            schedule?.apply(to: optimizer, step: step)
            optimizer.zeroGrad()
            loss(model).backward()
            optimizer.step()
        }
    }

    /// Checks the fixed-sequence and model trajectories of case `name` against PyTorch.
    static func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) {
        // Fixed gradient sequence.
        let (w, b) = sequenceParameters()
        let optimizer = makeOptimizer(name, parameters: [w, b])
        for step in 0..<50 {
            setSequenceGradients(step: step, w: w, b: b)
            optimizer.step()
            if step == 0 {
                XCTAssertNil(mismatch(w, golden.tensor("expected/\(name)/sequence/first/w"), rtol: 1e-6, atol: 1e-7),
                             "\(name): w after 1 step", file: file, line: line)
                XCTAssertNil(mismatch(b, golden.tensor("expected/\(name)/sequence/first/b"), rtol: 1e-6, atol: 1e-7),
                             "\(name): b after 1 step", file: file, line: line)
            }
        }
        XCTAssertNil(mismatch(w, golden.tensor("expected/\(name)/sequence/final/w"), rtol: 1e-5, atol: 1e-7),
                     "\(name): w after 50 steps", file: file, line: line)
        XCTAssertNil(mismatch(b, golden.tensor("expected/\(name)/sequence/final/b"), rtol: 1e-5, atol: 1e-7),
                     "\(name): b after 50 steps", file: file, line: line)
        // Small real model.
        let model = model()
        let modelOptimizer = makeOptimizer(name, parameters: model.parameters, forModel: true)
        train(model, modelOptimizer, steps: 50)
        // Relative to each tensor's scale: elements near zero carry the absolute error of the
        // large ones (float32 rounding in the model's forward and backward passes, which differ
        // from PyTorch's kernels in the last bits, accumulates over 50 steps).
        for (key, p) in model.namedParameters() {
            let expected = golden.tensor("expected/\(name)/model/\(key)")
            let scale = expected.scalars.map { abs($0) }.max() ?? 0
            XCTAssertNil(mismatch(p, expected, rtol: 1e-5, atol: 1e-5 * scale),
                         "\(name): model \(key) after 50 steps", file: file, line: line)
        }
        let finalLoss = loss(model).item()
        XCTAssertEqual(Double(finalLoss), golden.number("expected/\(name)/model_final_loss"),
                       accuracy: 1e-5 * golden.number("expected/\(name)/model_final_loss"), "\(name): final loss", file: file, line: line)
    }
}
