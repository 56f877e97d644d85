internal import CConvergeKernels

extension Kernels {
    /// What ``softmaxRows(_:_:rows:columns:mode:causal:firstRow:emptyRowsGiveZero:)`` computes per row.
    public enum SoftmaxRowMode: Sendable {
        /// `e^(x − max) / Σ e^(x − max)`.
        case softmax
        /// `(x − max) − log Σ e^(x − max)`.
        case logSoftmax

        var c: cv_softmax_mode { self == .softmax ? CV_SOFTMAX : CV_LOG_SOFTMAX }
    }

    /// Softmax or log-softmax of each of `rows` contiguous rows of `columns` floats with the C
    /// kernel, on the calling thread: the row maximum is subtracted first (exp within 1 ulp).
    /// With `causal`, row `r` uses only its first `min(columns, firstRow + r + 1)` entries and
    /// the rest is set to 0 (`firstRow`: the index of the first row passed, for row blocks of a
    /// larger matrix). A row whose used entries are all −∞ gives zeros with `emptyRowsGiveZero`
    /// (attention), NaN otherwise (PyTorch's softmax). `y` may be `x`.
    public static func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                                   mode: SoftmaxRowMode = .softmax, causal: Bool = false, firstRow: Int = 0,
                                   emptyRowsGiveZero: Bool = false) {
        cv_softmax_forward(x, y, rows, columns, mode.c, causal ? 1 : 0, firstRow, emptyRowsGiveZero ? 1 : 0)
    }

    /// The input gradient of ``softmaxRows(_:_:rows:columns:mode:causal:firstRow:emptyRowsGiveZero:)``
    /// from its output `y` and output gradient `g`, on the calling thread: softmax
    /// `gx = y·(ĝ − Σ ĝ·y)`, log-softmax `gx = ĝ − e^y·Σ ĝ`, where `ĝ = g·gScale` elementwise
    /// (`gScale` nil: `ĝ = g`; attention passes its dropout mask). With `causal`, the unused
    /// entries of each row get 0. `gx` may be `g`.
    public static func softmaxRowsBackward(output y: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
                                           gradientScale gScale: UnsafePointer<Float>? = nil,
                                           _ gx: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                                           mode: SoftmaxRowMode = .softmax, causal: Bool = false, firstRow: Int = 0) {
        cv_softmax_backward(y, g, gScale, gx, rows, columns, mode.c, causal ? 1 : 0, firstRow)
    }
}
