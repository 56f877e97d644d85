internal import CConvergeKernels

/// The vector instructions the C kernels (`CConvergeKernels`) run with.
///
/// Each of those kernels has a portable version and, on x86-64, an AVX-512 version. The best level
/// the processor supports is used unless the environment variable `CONVERGE_ISA` (`generic`,
/// `avx2`, `avx512`) or ``Kernels/setVectorISA(_:)`` caps it.
public enum VectorISA: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    /// Portable C, as the compiler vectorizes it by default.
    case generic = 0
    /// AVX2 with FMA.
    case avx2 = 1
    /// AVX-512 F, BW, DQ and VL.
    case avx512 = 2

    public static func < (a: VectorISA, b: VectorISA) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .generic: return "generic"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }
}

extension Kernels {
    /// The level the C kernels use now.
    public static var vectorISA: VectorISA { VectorISA(rawValue: Int(cv_isa().rawValue)) ?? .generic }

    /// The best level this processor and operating system support.
    public static var supportedVectorISA: VectorISA {
        VectorISA(rawValue: Int(cv_isa_supported().rawValue)) ?? .generic
    }

    /// Caps the level the C kernels use (never above ``supportedVectorISA``) and returns the level
    /// now in use. Tests use it to run the portable kernels on any machine.
    @discardableResult
    public static func setVectorISA(_ level: VectorISA) -> VectorISA {
        VectorISA(rawValue: Int(cv_set_isa_level(cv_isa_level(rawValue: UInt32(level.rawValue))).rawValue)) ?? .generic
    }
}
