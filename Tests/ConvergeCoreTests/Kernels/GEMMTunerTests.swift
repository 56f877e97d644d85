import XCTest
@testable import ConvergeCore

final class GEMMTunerTests: XCTestCase {
    func testCacheFileLocation() {
        XCTAssertEqual(GEMMTuner.cacheFile(environment: ["HOME": "/home/u"]), "/home/u/.cache/converge/gemm.json")
        XCTAssertEqual(GEMMTuner.cacheFile(environment: ["HOME": "/home/u", "XDG_CACHE_HOME": "/c"]), "/c/converge/gemm.json")
        XCTAssertEqual(GEMMTuner.cacheFile(environment: ["HOME": "/home/u", "CONVERGE_GEMM_CACHE": "/tmp/g.json"]), "/tmp/g.json")
        XCTAssertNil(GEMMTuner.cacheFile(environment: ["HOME": "/home/u", "CONVERGE_GEMM_CACHE": "none"]))
        XCTAssertNil(GEMMTuner.cacheFile(environment: [:]))
    }

    func testCoreTypeCandidatesFollowTheProcessorFeatures() {
        let avx512: Set = ["avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"]
        XCTAssertEqual(GEMMTuner.coreTypeCandidates(for: CPUFeatures.Info()), [nil])
        #if arch(x86_64)
        XCTAssertEqual(GEMMTuner.coreTypeCandidates(for: CPUFeatures.Info(flags: ["avx2", "fma"])), [nil, "Haswell", "Zen"])
        XCTAssertEqual(GEMMTuner.coreTypeCandidates(for: CPUFeatures.Info(flags: avx512)), [nil, "Haswell", "Zen", "SkylakeX"])
        XCTAssertEqual(GEMMTuner.coreTypeCandidates(for: CPUFeatures.Info(flags: avx512.union(["avx512_bf16"]))),
                       [nil, "Haswell", "Zen", "SkylakeX", "Cooperlake"])
        #endif
    }

    func testMachineKeyNamesWhatTheChoiceDependsOn() {
        let key = GEMMTuner.machineKey(blasFile: "/usr/lib/libopenblas.so.0", oneDNN: nil, libraries: [.openBLAS, .swift],
                                       environment: ["OPENBLAS_CORETYPE": "Haswell"])
        XCTAssertTrue(key.contains("OPENBLAS_CORETYPE=Haswell"), key)
        XCTAssertEqual(key, GEMMTuner.machineKey(blasFile: "/usr/lib/libopenblas.so.0", oneDNN: nil, libraries: [.openBLAS, .swift],
                                                 environment: ["OPENBLAS_CORETYPE": "Haswell", "OMP_NUM_THREADS": "1"]),
                       "thread settings do not change the choice")
        XCTAssertTrue(key.contains("blas /usr/lib/libopenblas.so.0"), key)
        XCTAssertNotEqual(key, GEMMTuner.machineKey(blasFile: "/usr/lib/libopenblas.so.0", oneDNN: nil,
                                                    libraries: [.openBLAS, .swift], environment: [:]))
    }

    func testTuningWritesTheCacheAndTheNextProcessReadsIt() throws {
        let directory = NSTemporaryDirectory() + "converge-gemm-tuner-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = directory + "/gemm.json"
        // Only the Swift fallback: a measurement that needs no system library and stays fast.
        let environment = ["CONVERGE_GEMM_CACHE": cache]
        let first = GEMMTuner.tune(libraries: [.swift], environment: environment)
        XCTAssertTrue(first.origin.contains("saved to \(cache)"), first.origin)
        XCTAssertEqual(Set(first.choices.values), [.swift])
        let saved = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cache))) as? [String: Any])
        XCTAssertEqual((saved["entries"] as? [String: Any])?.count, 1)
        let second = GEMMTuner.tune(libraries: [.swift], environment: environment)
        XCTAssertTrue(second.origin.contains("cached in \(cache)"), second.origin)
        XCTAssertEqual(second.choices, first.choices)
        XCTAssertEqual(second.measurements, first.measurements)
    }

    /// Entries and fields this version does not know (another version of Converge wrote them) stay
    /// in the file when this version stores its own entry.
    func testStoringAnEntryKeepsWhatOtherVersionsWrote() throws {
        let directory = NSTemporaryDirectory() + "converge-machine-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/gemm.json"
        try Data(#"{"version": 1, "entries": {"tuner 9 | x": {"choices": {}, "futureField": [1, 2]}, "tuner 3 | y": 7}}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        XCTAssertNil(MachineCache.entry([String: Int].self, key: "tuner 3 | y", in: path), "an entry of another shape is measured again")
        XCTAssertTrue(MachineCache.store(["tiny": 3], key: "tuner 3 | y", in: path))
        XCTAssertEqual(MachineCache.entry([String: Int].self, key: "tuner 3 | y", in: path), ["tiny": 3])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let entries = try XCTUnwrap(object["entries"] as? [String: Any])
        let future = try XCTUnwrap(entries["tuner 9 | x"] as? [String: Any])
        XCTAssertEqual(future["futureField"] as? [Int], [1, 2])
        XCTAssertEqual(object["version"] as? Int, 1)
    }

    func testMeasurementComparesCandidatesPerClass() throws {
        guard let library = OneDNN.shared else { throw XCTSkip("oneDNN not installed") }
        let results = GEMMTuner.measure([("onednn", .oneDNN, nil), ("swift", .swift, nil)], oneDNN: library, rounds: 1)
        for shapeClass in GEMMDispatch.ShapeClass.allCases {
            let gflops = results.filter { $0.shapeClass == shapeClass && $0.candidate == "onednn" }.map(\.gflops)
            XCTAssertEqual(gflops.count, 1)
            XCTAssertGreaterThan(gflops.first ?? 0, 0)
        }
        XCTAssertTrue(results.contains { $0.candidate == "swift" && $0.shapeClass == .tiny })
    }
}
