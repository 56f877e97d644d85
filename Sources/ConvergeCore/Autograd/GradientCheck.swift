/// The outcome of ``gradientCheck(_:epsilon:absoluteTolerance:relativeTolerance:seed:_:)``.
public struct GradientCheckResult: CustomStringConvertible {
    /// Whether every checked element agreed within tolerance.
    public let passed: Bool
    /// Largest |analytic − numeric| seen.
    public let maxAbsoluteError: Double
    /// The worst element: input index, flat element index, analytic and numeric values.
    public let worst: (input: Int, element: Int, analytic: Double, numeric: Double)?
    /// Number of elements checked.
    public let checkedCount: Int

    /// A one-line summary naming the worst element.
    public var description: String {
        guard let w = worst else { return "gradient check: nothing to check" }
        return "gradient check \(passed ? "passed" : "FAILED"): worst at input \(w.input) element \(w.element): analytic \(w.analytic), numeric \(w.numeric) (max abs error \(maxAbsoluteError), \(checkedCount) elements)"
    }
}

/// Compares the analytic gradient of `function` with central finite differences.
///
/// The scalar objective is `L = Σ v ⊙ f(inputs)` with a fixed random `v` (so every output
/// element matters). Inputs are perturbed by ±`epsilon` in float32, and each `L` is accumulated in
/// double precision, so the differences lose no precision in the reduction; the function itself is
/// evaluated in float32, which is why the default tolerances are looser than a float64 check.
/// Inputs that do not require gradients are left unchecked.
///
/// - Returns: a result whose ``GradientCheckResult/passed`` is true when every element satisfies
///   `|analytic − numeric| ≤ absoluteTolerance + relativeTolerance · |numeric|`.
public func gradientCheck(_ inputs: [Tensor], epsilon: Float = 1e-3, absoluteTolerance: Double = 2e-3,
                          relativeTolerance: Double = 1e-2, seed: UInt64 = 7,
                          _ function: ([Tensor]) -> Tensor) -> GradientCheckResult {
    for t in inputs { t.grad = nil }
    let output = function(inputs)
    let generator = RandomGenerator(seed: seed)
    let v = Tensor.randomNormal(output.shape, generator: generator)
    func objective() -> Double {
        let y = withNoGrad { function(inputs) }
        var total = 0.0
        for i in 0..<y.count { total += Double(y.storage.pointer[i]) * Double(v.storage.pointer[i]) }
        return total
    }
    if output.requiresGrad { output.backward(v) }
    var maxError = 0.0
    var worstScore = -Double.infinity
    var worst: (Int, Int, Double, Double)?
    var passed = true
    var checked = 0
    for (index, input) in inputs.enumerated() where input.requiresGrad {
        let analytic = input.grad?.scalars ?? [Float](repeating: 0, count: input.count)
        let p = input.storage.pointer
        for e in 0..<input.count {
            let original = p[e]
            p[e] = original + epsilon
            let plus = objective()
            p[e] = original - epsilon
            let minus = objective()
            p[e] = original
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let a = Double(analytic[e])
            let error = Swift.abs(a - numeric)
            let allowed = absoluteTolerance + relativeTolerance * Swift.abs(numeric)
            if !(error <= allowed) { passed = false }
            maxError = Swift.max(maxError, error)
            let score = error / allowed
            if score > worstScore || worst == nil { worstScore = score; worst = (index, e, a, numeric) }
            checked += 1
        }
    }
    for t in inputs { t.grad = nil }
    return GradientCheckResult(passed: passed, maxAbsoluteError: maxError,
                               worst: worst.map { (input: $0.0, element: $0.1, analytic: $0.2, numeric: $0.3) },
                               checkedCount: checked)
}
