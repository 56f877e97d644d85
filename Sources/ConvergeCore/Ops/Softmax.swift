import Foundation

extension Tensor {
    /// Softmax along `axis`, computed stably (the maximum is subtracted first).
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "softmax") }
        let x = self
        let out = withNoGrad { () -> Tensor in
            let shifted = x - x.reduceRaw(.max, axes: [a])
            let e = shifted.exp()
            return e / e.reduceRaw(.sum, axes: [a])
        }
        let y = out.detached()
        return Tensor.result(out, op: "softmax", inputs: [x]) { g in
            // dx = y · (g − Σ g·y)
            let dot = (g * y).reduceRaw(.sum, axes: [a])
            return [y * (g - dot)]
        }
    }

    /// Log-softmax along `axis`: `x − max − log Σ exp(x − max)`.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "logSoftmax") }
        let x = self
        let out = withNoGrad { () -> Tensor in
            let shifted = x - x.reduceRaw(.max, axes: [a])
            return shifted - shifted.exp().reduceRaw(.sum, axes: [a]).log()
        }
        let y = out.detached()
        return Tensor.result(out, op: "logSoftmax", inputs: [x]) { g in
            // dx = g − softmax · Σ g
            let total = g.reduceRaw(.sum, axes: [a])
            return [g - y.exp() * total]
        }
    }

    /// `log Σ exp(x)` along `axis`, computed stably.
    public func logSumExp(alongAxis axis: Int = -1, keepingDimensions keep: Bool = false) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "logSumExp") }
        let m = withNoGrad { reduceRaw(.max, axes: [a]) }
        let r = (self - m).exp().sum(alongAxis: a, keepingDimensions: true).log() + m
        return keep ? r : r.squeezed(at: a)
    }
}
