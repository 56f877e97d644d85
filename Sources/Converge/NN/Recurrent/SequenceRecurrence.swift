import ConvergeCore
import Foundation

/// The LSTM and GRU recurrences over a whole sequence as fused ops with hand-written
/// backpropagation through time, used by ``LSTM`` and ``GRU``.
///
/// Each takes the input projection `P = x·W_ihᵀ + b_ih` for all steps at once (a single GEMM,
/// recorded as an ordinary `linear` op), runs the recurrence on raw buffers, and records one node
/// whose backward walks the steps in reverse: one GEMM per step for the recurrent gradient and
/// one GEMM at the end for `W_hh`. Building the same computation from per-step slices would make
/// the backward pass quadratic in the sequence length (every slice's gradient is a full-size
/// tensor); this stays linear. The cells (``LSTMCell``, ``GRUCell``) compute the same step from
/// differentiable ops, and the tests check the two agree.
enum SequenceRecurrence {
    @inline(__always) static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    /// `rows × n` buffer `c = a·W_hhᵀ + bias` for `a` `[rows, hidden]` and `W_hh` `[n, hidden]`.
    static func recurrentProduct(_ a: UnsafePointer<Float>, rows: Int, weight: Tensor, bias: Tensor?,
                                 into c: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let n = weight.shape[0], hidden = weight.shape[1]
        if let bias {
            let pb = bias.storage.pointer
            for r in 0..<rows {
                let row = c + r * n
                if accumulate { for j in 0..<n { row[j] += pb[j] } } else { row.update(from: pb, count: n) }
            }
        }
        Kernels.gemm(transA: false, transB: true, m: rows, n: n, k: hidden, alpha: 1, a: a, lda: hidden,
                     b: weight.storage.pointer, ldb: hidden, beta: (accumulate || bias != nil) ? 1 : 0, c: c, ldc: n)
    }

    /// Gradients shared by both recurrences: `dW_hh = Σ_t dHₜᵀ·hₜ₋₁` as one GEMM over the
    /// `[T·B, G·H]` pre-activation gradients and the `[T·B, H]` previous hidden states, and
    /// `db_hh = Σ dHₜ`.
    static func recurrentWeightGradients(_ dPre: Tensor, previous: Tensor, weight: Tensor, bias: Tensor?) -> (Tensor?, Tensor?) {
        let rows = previous.count / weight.shape[1], n = weight.shape[0], hidden = weight.shape[1]
        var dw: Tensor?
        if weight.requiresGrad {
            let g = Tensor(uninitializedShape: weight.shape)
            Kernels.gemm(transA: true, transB: false, m: n, n: hidden, k: rows, alpha: 1, a: dPre.storage.pointer, lda: n,
                         b: previous.storage.pointer, ldb: hidden, beta: 0, c: g.storage.pointer, ldc: hidden)
            dw = g
        }
        var db: Tensor?
        if let bias, bias.requiresGrad {
            let g = Tensor.zeros(bias.shape)
            let pg = g.storage.pointer, pd = dPre.storage.pointer
            for r in 0..<rows { for j in 0..<n { pg[j] += pd[r * n + j] } }
            db = g
        }
        return (dw, db)
    }

    /// The LSTM over `projected` `[T, B, 4H]` from `h0`, `c0` `[B, H]`. Returns `[T + 1, B, H]`:
    /// rows `0..<T` are the hidden states `h₁ … h_T` (the output sequence), row `T` is the final
    /// cell state `c_T`.
    static func lstm(projected: Tensor, h0: Tensor, c0: Tensor, weightHH: Tensor, biasHH: Tensor?) -> Tensor {
        let steps = projected.shape[0], batch = projected.shape[1], hidden = weightHH.shape[1]
        let width = 4 * hidden, stateSize = batch * hidden
        let out = Tensor(uninitializedShape: [steps + 1, batch, hidden])
        let activations = Tensor(uninitializedShape: [steps, batch, width])   // i, f, g, o after σ/tanh
        let cells = Tensor(uninitializedShape: [steps + 1, batch, hidden])   // c₀ … c_T
        let previous = Tensor(uninitializedShape: [steps, batch, hidden])    // h₀ … h_{T−1}
        let po = out.storage.pointer, pa = activations.storage.pointer, pc = cells.storage.pointer
        let pprev = previous.storage.pointer, pp = projected.storage.pointer
        pc.update(from: c0.storage.pointer, count: stateSize)
        for t in 0..<steps {
            let hPrev = t == 0 ? UnsafePointer(h0.storage.pointer) : UnsafePointer(po + (t - 1) * stateSize)
            (pprev + t * stateSize).update(from: hPrev, count: stateSize)
            let gates = pa + t * batch * width
            gates.update(from: pp + t * batch * width, count: batch * width)
            recurrentProduct(hPrev, rows: batch, weight: weightHH, bias: biasHH, into: gates, accumulate: true)
            let cPrev = pc + t * stateSize, cNext = pc + (t + 1) * stateSize, h = po + t * stateSize
            for b in 0..<batch {
                let row = gates + b * width
                for j in 0..<hidden {
                    let i = sigmoid(row[j]), f = sigmoid(row[hidden + j])
                    let g = Foundation.tanh(row[2 * hidden + j]), o = sigmoid(row[3 * hidden + j])
                    row[j] = i; row[hidden + j] = f; row[2 * hidden + j] = g; row[3 * hidden + j] = o
                    let c = f * cPrev[b * hidden + j] + i * g
                    cNext[b * hidden + j] = c
                    h[b * hidden + j] = o * Foundation.tanh(c)
                }
            }
        }
        (po + steps * stateSize).update(from: pc + steps * stateSize, count: stateSize)
        let inputs = [projected, h0, c0, weightHH] + (biasHH.map { [$0] } ?? [])
        return Tensor.recording(out, op: "lstm", inputs: inputs) { dOut in
            // Re-read the saved buffers through the tensors the closure keeps alive.
            let pa = activations.storage.pointer, pc = cells.storage.pointer
            let dPre = Tensor(uninitializedShape: [steps, batch, width])
            let dh = Tensor.zeros([batch, hidden]), dc = Tensor(uninitializedShape: [batch, hidden])
            let pdo = dOut.storage.pointer, pd = dPre.storage.pointer
            let pdh = dh.storage.pointer, pdc = dc.storage.pointer
            pdc.update(from: pdo + steps * stateSize, count: stateSize)
            for t in stride(from: steps - 1, through: 0, by: -1) {
                let act = pa + t * batch * width, d = pd + t * batch * width
                let cPrev = pc + t * stateSize, cNow = pc + (t + 1) * stateSize, dY = pdo + t * stateSize
                for b in 0..<batch {
                    for j in 0..<hidden {
                        let k = b * hidden + j, row = act + b * width, drow = d + b * width
                        let i = row[j], f = row[hidden + j], g = row[2 * hidden + j], o = row[3 * hidden + j]
                        let th = Foundation.tanh(cNow[k])
                        let dhk = dY[k] + pdh[k]
                        let dck = pdc[k] + dhk * o * (1 - th * th)
                        drow[j] = dck * g * i * (1 - i)
                        drow[hidden + j] = dck * cPrev[k] * f * (1 - f)
                        drow[2 * hidden + j] = dck * i * (1 - g * g)
                        drow[3 * hidden + j] = dhk * th * o * (1 - o)
                        pdc[k] = dck * f
                    }
                }
                // dh_{t−1} = dPreₜ · W_hh
                Kernels.gemm(transA: false, transB: false, m: batch, n: hidden, k: width, alpha: 1, a: d, lda: width,
                             b: weightHH.storage.pointer, ldb: hidden, beta: 0, c: pdh, ldc: hidden)
            }
            let (dw, db) = recurrentWeightGradients(dPre, previous: previous, weight: weightHH, bias: biasHH)
            var grads: [Tensor?] = [dPre, dh, dc, dw]
            if biasHH != nil { grads.append(db) }
            return grads
        }
    }

    /// The GRU over `projected` `[T, B, 3H]` from `h0` `[B, H]`. Returns the hidden states
    /// `h₁ … h_T` as `[T, B, H]`.
    static func gru(projected: Tensor, h0: Tensor, weightHH: Tensor, biasHH: Tensor?) -> Tensor {
        let steps = projected.shape[0], batch = projected.shape[1], hidden = weightHH.shape[1]
        let width = 3 * hidden, stateSize = batch * hidden
        let out = Tensor(uninitializedShape: [steps, batch, hidden])
        let gates = Tensor(uninitializedShape: [steps, batch, width])      // r, z, n after σ/tanh
        let recurrentN = Tensor(uninitializedShape: [steps, batch, hidden]) // W_hn·h + b_hn
        let previous = Tensor(uninitializedShape: [steps, batch, hidden])  // h₀ … h_{T−1}
        let po = out.storage.pointer, pg = gates.storage.pointer, prn = recurrentN.storage.pointer
        let pprev = previous.storage.pointer, pp = projected.storage.pointer
        let scratch = Tensor(uninitializedShape: [batch, width])
        let ps = scratch.storage.pointer
        for t in 0..<steps {
            let hPrev = t == 0 ? UnsafePointer(h0.storage.pointer) : UnsafePointer(po + (t - 1) * stateSize)
            (pprev + t * stateSize).update(from: hPrev, count: stateSize)
            recurrentProduct(hPrev, rows: batch, weight: weightHH, bias: biasHH, into: ps, accumulate: false)
            let x = pp + t * batch * width, act = pg + t * batch * width, h = po + t * stateSize
            for b in 0..<batch {
                for j in 0..<hidden {
                    let k = b * hidden + j, row = b * width
                    let r = sigmoid(x[row + j] + ps[row + j])
                    let z = sigmoid(x[row + hidden + j] + ps[row + hidden + j])
                    let hn = ps[row + 2 * hidden + j]
                    let n = Foundation.tanh(x[row + 2 * hidden + j] + r * hn)
                    act[row + j] = r; act[row + hidden + j] = z; act[row + 2 * hidden + j] = n
                    prn[t * stateSize + k] = hn
                    h[k] = n + z * (hPrev[k] - n)
                }
            }
        }
        let inputs = [projected, h0, weightHH] + (biasHH.map { [$0] } ?? [])
        return Tensor.recording(out, op: "gru", inputs: inputs) { dOut in
            // Re-read the saved buffers through the tensors the closure keeps alive.
            let pg = gates.storage.pointer, prn = recurrentN.storage.pointer, pprev = previous.storage.pointer
            let dP = Tensor(uninitializedShape: [steps, batch, width])
            let dRecurrent = Tensor(uninitializedShape: [steps, batch, width])
            let dh = Tensor.zeros([batch, hidden])
            let pdo = dOut.storage.pointer, pdp = dP.storage.pointer, pdr = dRecurrent.storage.pointer
            let pdh = dh.storage.pointer
            for t in stride(from: steps - 1, through: 0, by: -1) {
                let act = pg + t * batch * width, hPrev = pprev + t * stateSize, dY = pdo + t * stateSize
                let dx = pdp + t * batch * width, dr = pdr + t * batch * width
                for b in 0..<batch {
                    for j in 0..<hidden {
                        let k = b * hidden + j, row = b * width
                        let r = act[row + j], z = act[row + hidden + j], n = act[row + 2 * hidden + j]
                        let dhk = dY[k] + pdh[k]
                        let dnPre = dhk * (1 - z) * (1 - n * n)
                        let dzPre = dhk * (hPrev[k] - n) * z * (1 - z)
                        let drPre = dnPre * prn[t * stateSize + k] * r * (1 - r)
                        dx[row + j] = drPre; dx[row + hidden + j] = dzPre; dx[row + 2 * hidden + j] = dnPre
                        dr[row + j] = drPre; dr[row + hidden + j] = dzPre; dr[row + 2 * hidden + j] = dnPre * r
                        pdh[k] = dhk * z
                    }
                }
                // dh_{t−1} = dhₜ·z + dRecurrentₜ · W_hh
                Kernels.gemm(transA: false, transB: false, m: batch, n: hidden, k: width, alpha: 1, a: dr, lda: width,
                             b: weightHH.storage.pointer, ldb: hidden, beta: 1, c: pdh, ldc: hidden)
            }
            let (dw, db) = recurrentWeightGradients(dRecurrent, previous: previous, weight: weightHH, bias: biasHH)
            var grads: [Tensor?] = [dP, dh, dw]
            if biasHH != nil { grads.append(db) }
            return grads
        }
    }
}
