import Foundation

/// The processor running this program, as the operating system reports it (`/proc/cpuinfo` on
/// Linux, `sysctl` on macOS): vendor, family and instruction-set features.
///
/// The operating system lists a vector extension only when it also saves that extension's
/// registers on context switches, so a listed feature is safe to use.
public enum CPUFeatures {
    /// What `/proc/cpuinfo` (or `sysctl`) says about the first processor.
    public struct Info: Equatable, Sendable {
        /// `AuthenticAMD`, `GenuineIntel`, …; `nil` when unknown.
        public var vendor: String?
        /// The x86 family number (`cpu family`, decimal: 25 is AMD Zen 3/Zen 4); `nil` when unknown.
        public var family: Int?
        /// The x86 model number; `nil` when unknown.
        public var model: Int?
        /// The model name, for example `AMD EPYC 9654`; `nil` when unknown.
        public var modelName: String?
        /// The lower-case feature names (for example `avx2`, `avx512f`).
        public var flags: Set<String>

        /// Whether the processor can run AVX-512 code of the Skylake-X level: it reports
        /// `avx512f`, `avx512bw`, `avx512dq` and `avx512vl`.
        public var hasAVX512: Bool {
            ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        }

        /// Fields as given; features default to none.
        public init(vendor: String? = nil, family: Int? = nil, model: Int? = nil, modelName: String? = nil,
                    flags: Set<String> = []) {
            self.vendor = vendor
            self.family = family
            self.model = model
            self.modelName = modelName
            self.flags = flags
        }
    }

    /// This machine's processor.
    public static let current: Info = read()

    /// The lower-case feature names the operating system reports; empty when unknown.
    public static var flags: Set<String> { current.flags }

    /// Whether this processor has AVX-512 F, BW, DQ and VL (see ``Info/hasAVX512``).
    public static var hasAVX512: Bool { current.hasAVX512 }

    /// Parses the first processor's block of a `/proc/cpuinfo` text.
    public static func parseCPUInfo(_ text: String) -> Info {
        var info = Info()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if info.vendor != nil || !info.flags.isEmpty { break }  // end of the first block
                continue
            }
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            switch key {
            case "vendor_id": info.vendor = value
            case "cpu family": info.family = Int(value)
            case "model": info.model = Int(value)
            case "model name": info.modelName = value
            case "flags": info.flags = Set(value.split(separator: " ").map { $0.lowercased() })
            default: break
            }
        }
        return info
    }

    private static func read() -> Info {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return Info() }
        return parseCPUInfo(text)
        #elseif os(macOS)
        var info = Info()
        let names = ["hw.optional.avx1_0": "avx", "hw.optional.avx2_0": "avx2", "hw.optional.fma": "fma",
                     "hw.optional.avx512f": "avx512f", "hw.optional.avx512bw": "avx512bw",
                     "hw.optional.avx512dq": "avx512dq", "hw.optional.avx512vl": "avx512vl"]
        for (key, flag) in names {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            if sysctlbyname(key, &value, &size, nil, 0) == 0, value != 0 { info.flags.insert(flag) }
        }
        return info
        #else
        return Info()
        #endif
    }
}
