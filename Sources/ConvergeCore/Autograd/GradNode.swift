/// One recorded operation in the dynamic graph: its inputs and the rule that turns the gradient
/// of its output into gradients of its inputs (micrograd's closure-per-op design).
final class GradNode {
    /// The op's name, e.g. `matmul` (used in anomaly reports).
    let op: String
    /// The tensors the op read. Cleared after backward to free the graph.
    var inputs: [Tensor]
    /// Maps the output's gradient to one gradient per input (`nil` where none flows).
    var backward: ((Tensor) -> [Tensor?])?
    /// The module path active when the op ran (see ``Anomaly``).
    let modulePath: String?
    /// The GEMM precision the op's forward pass ran in (autocast); its backward runs in it too.
    let gemmPrecision: GEMMPrecision = Kernels.gemmPrecision

    init(op: String, inputs: [Tensor], modulePath: String?, backward: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
        self.modulePath = modulePath
    }

    /// Releases a graph that was never run backward iteratively: dropping the output of a long
    /// chain would otherwise free one node inside the previous one's deinit, and overflow the stack.
    /// Each input this node held last is taken apart here (its node's inputs moved to a work list)
    /// before it is released.
    deinit {
        guard !inputs.isEmpty else { return }
        var pending = inputs
        inputs = []
        backward = nil
        while var tensor = pending.popLast() {
            guard isKnownUniquelyReferenced(&tensor), let node = tensor.node, !node.inputs.isEmpty else { continue }
            pending.append(contentsOf: node.inputs)
            node.inputs = []
            node.backward = nil
        }
    }
}

/// Global switch for recording operations (PyTorch's grad mode).
public enum GradMode {
    /// Whether ops record the graph. Off inside ``withNoGrad(_:)``.
    public internal(set) static var isEnabled = true
}

/// Runs `body` without recording operations: for inference and optimizer updates.
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = previous }
    return try body()
}

/// Runs `body` with recording switched on even inside a no-grad scope.
@discardableResult
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = GradMode.isEnabled
    GradMode.isEnabled = true
    defer { GradMode.isEnabled = previous }
    return try body()
}

extension Tensor {
    /// Records a custom differentiable op: `output` was computed from `inputs` outside the graph,
    /// and `backward` maps the gradient of `output` to one gradient per input (`nil` where none
    /// flows). Layers use this for fused kernels (convolution, normalization, fused losses).
    /// When grad mode is off or no input requires a gradient, `output` is returned as it is.
    public static func recording(_ output: Tensor, op: String, inputs: [Tensor],
                                 backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        result(output, op: op, inputs: inputs, backward: backward)
    }

    /// Builds the result of an op: attaches a graph node when grad mode is on and any input
    /// requires a gradient, and runs the anomaly check when anomaly mode is on.
    static func result(_ output: Tensor, op: String, inputs: [Tensor],
                       backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        if Anomaly.isEnabled && Anomaly.backwardDepth == 0 {
            Anomaly.check(output, op: op, phase: .forward, modulePath: Anomaly.currentModulePath)
        }
        if GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
            output.requiresGrad = true
            output.node = GradNode(op: op, inputs: inputs, modulePath: Anomaly.currentModulePath, backward: backward)
        }
        return output
    }
}
