import ConvergeCore
import Foundation

/// What the instruments share: the model's trainable parameters grouped into layers by module
/// path (so any Module is covered — Linear, Conv, norms, LSTM/GRU, attention — without knowing
/// its type), copies of parameter and gradient values, extra forward/backward passes on part of
/// a batch, and a guard that undoes every side effect of those passes (gradients, BatchNorm
/// running statistics, the random generator that draws dropout masks), so that a run with the
/// instruments on follows exactly the trajectory of a run without them.
final class InstrumentProbe {
    /// One layer: a module path and the indices of its parameters in ``parameters``.
    struct Layer {
        var name: String
        var indices: [Int]
    }

    let model: Module
    /// The trainable parameters, in the optimizer's order.
    let parameters: [Tensor]
    /// The layers, in parameter order.
    let layers: [Layer]
    /// The module buffers (BatchNorm running statistics), found once.
    let buffers: [Tensor]
    /// The fewest examples a training-mode pass needs (2 with BatchNorm, else 1).
    let minimumRows: Int

    init(trainer: Trainer) {
        model = trainer.model
        parameters = trainer.optimizer.parameters
        let names = Dictionary(trainer.model.namedParameters().map { (ObjectIdentifier($0.1), $0.0) }, uniquingKeysWith: { a, _ in a })
        var layers: [Layer] = []
        var position: [String: Int] = [:]
        for (i, p) in parameters.enumerated() {
            let full = names[ObjectIdentifier(p)] ?? "param\(i)"
            let name = full.split(separator: ".").dropLast().joined(separator: ".")
            let key = name.isEmpty ? full : name
            if let at = position[key] { layers[at].indices.append(i) } else {
                position[key] = layers.count
                layers.append(Layer(name: key, indices: [i]))
            }
        }
        self.layers = layers
        buffers = trainer.model.namedBuffers().map(\.1)
        minimumRows = trainer.model.namedModules().contains { $0.1 is BatchNorm } ? 2 : 1
    }

    /// The values of every parameter.
    func values() -> [[Float]] { parameters.map(InstrumentProbe.copy) }

    /// The gradient of every parameter (zeros where none).
    func gradients() -> [[Float]] { parameters.map { $0.grad.map(InstrumentProbe.copy) ?? [Float](repeating: 0, count: $0.count) } }

    static func copy(_ t: Tensor) -> [Float] { Array(UnsafeBufferPointer(start: t.storage.pointer, count: t.count)) }

    /// Sets every parameter to `values` (+ `scale` × `direction` when given).
    func setParameters(_ values: [[Float]], plus scale: Float = 0, direction: [[Float]]? = nil) {
        for (i, p) in parameters.enumerated() {
            let x = p.storage.pointer
            values[i].withUnsafeBufferPointer { v in
                if let d = direction?[i], scale != 0 {
                    d.withUnsafeBufferPointer { d in for j in 0..<v.count { x[j] = v[j] + scale * d[j] } }
                } else {
                    for j in 0..<v.count { x[j] = v[j] }
                }
            }
        }
    }

    /// Runs `body` and then restores the gradients, the module buffers (BatchNorm running
    /// statistics) and the random generator as they were before it.
    func withoutSideEffects<T>(_ body: () throws -> T) rethrows -> T {
        // The passes inside start from `grad = nil`, so they write fresh gradient tensors and the
        // trainer's stay untouched: putting the same objects back restores them.
        let grads = parameters.map { $0.grad }
        let savedBuffers = buffers.map(InstrumentProbe.copy)
        let random = Random.generator.state
        defer {
            for (p, g) in zip(parameters, grads) { p.grad = g }
            for (b, saved) in zip(buffers, savedBuffers) {
                let x = b.storage.pointer
                for j in 0..<saved.count { x[j] = saved[j] }
            }
            Random.generator.state = random
        }
        return try body()
    }

    /// The loss and the gradient of every parameter on `inputs`/`targets` (training mode; the
    /// caller undoes side effects with ``withoutSideEffects(_:)``).
    func lossAndGradient(_ loss: (Tensor, Tensor) -> Tensor, inputs: Tensor, targets: Tensor) -> (Double, [[Float]]) {
        for p in parameters { p.grad = nil }
        let value = loss(model(inputs), targets)
        value.backward()
        return (Double(value.item()), gradients())
    }

    /// One training-mode forward/backward pass on `inputs`/`targets` from `grad = nil`: the
    /// gradients are left in the parameters' `grad` (the caller reads them and undoes side
    /// effects with ``withoutSideEffects(_:)``); returns the loss.
    @discardableResult
    func backward(_ loss: (Tensor, Tensor) -> Tensor, inputs: Tensor, targets: Tensor) -> Double {
        for p in parameters { p.grad = nil }
        let value = loss(model(inputs), targets)
        value.backward()
        return Double(value.item())
    }

    /// The loss on `inputs`/`targets` without gradients (training mode).
    func loss(_ loss: (Tensor, Tensor) -> Tensor, inputs: Tensor, targets: Tensor) -> Double {
        withNoGrad { Double(loss(model(inputs), targets).item()) }
    }

    /// Rows `range` of a batch tensor.
    static func rows(_ t: Tensor, _ range: Range<Int>) -> Tensor { t.sliced(alongAxis: 0, range) }

    // MARK: - Vector arithmetic over parameter lists

    static func dot(_ a: [[Float]], _ b: [[Float]], indices: [Int]? = nil) -> Double {
        var sum = 0.0
        for i in indices ?? Array(a.indices) {
            a[i].withUnsafeBufferPointer { x in b[i].withUnsafeBufferPointer { y in
                sum += ParameterVector.dot(x.baseAddress!, y.baseAddress!, x.count)
            } }
        }
        return sum
    }

    static func squaredNorm(_ a: [[Float]], indices: [Int]? = nil) -> Double { dot(a, a, indices: indices) }

    /// ‖a − b‖² of two equally long vectors.
    static func squaredDistance(_ a: [Float], _ b: [Float]) -> Double {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in ParameterVector.squaredDistance(x.baseAddress!, y.baseAddress!, x.count) } }
    }

    /// Scales `x` to unit length (left alone when its norm is 0 or not finite).
    static func normalize(_ x: inout [[Float]]) {
        let norm = Float(squaredNorm(x).squareRoot())
        guard norm > 0, norm.isFinite else { return }
        for i in x.indices { x[i].withUnsafeMutableBufferPointer { v in for j in 0..<v.count { v[j] /= norm } } }
    }

    /// The finite-difference step ε for Hessian-vector products along a unit vector at `theta`:
    /// 1e-3 × the root-mean-square parameter (at least 1e-3).
    static func finiteDifferenceStep(_ theta: [[Float]]) -> Float {
        let count = theta.reduce(0) { $0 + $1.count }
        return Float(1e-3 * Swift.max(1, (squaredNorm(theta) / Double(Swift.max(1, count))).squareRoot()))
    }
}
