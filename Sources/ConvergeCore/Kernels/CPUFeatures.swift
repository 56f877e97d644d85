import Foundation

/// Instruction-set features of the processor running this program, as reported by the
/// operating system (`/proc/cpuinfo` on Linux, `sysctl hw.optional.*` on macOS).
///
/// The operating system lists a vector extension only when it also saves that extension's
/// registers on context switches, so a listed feature is safe to use.
public enum CPUFeatures {
    /// The lower-case feature names the operating system reports (for example `avx2`,
    /// `avx512f`); empty when they could not be read.
    public static let flags: Set<String> = readFlags()

    /// Whether the processor can run OpenBLAS's Skylake-X (AVX-512) kernels: it reports
    /// `avx512f`, `avx512bw`, `avx512dq` and `avx512vl`.
    public static var hasAVX512: Bool {
        ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
    }

    /// Parses the first `flags` line of a `/proc/cpuinfo` text into feature names.
    static func parseCPUInfoFlags(_ text: String) -> Set<String> {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2,
                  parts[0].trimmingCharacters(in: .whitespaces) == "flags" else { continue }
            return Set(parts[1].split(separator: " ").map { $0.lowercased() })
        }
        return []
    }

    private static func readFlags() -> Set<String> {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        return parseCPUInfoFlags(text)
        #elseif os(macOS)
        var result = Set<String>()
        for name in ["avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"] {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            let key = name == "fma" ? "hw.optional.fma" : "hw.optional.\(name == "avx" ? "avx1_0" : name == "avx2" ? "avx2_0" : name)"
            if sysctlbyname(key, &value, &size, nil, 0) == 0, value != 0 { result.insert(name) }
        }
        return result
        #else
        return []
        #endif
    }
}
