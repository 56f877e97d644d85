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
        let file = try XCTUnwrap(GEMMTuner.readCache(cache))
        XCTAssertEqual(file.entries.count, 1)
        let second = GEMMTuner.tune(libraries: [.swift], environment: environment)
        XCTAssertTrue(second.origin.contains("cached in \(cache)"), second.origin)
        XCTAssertEqual(second.choices, first.choices)
        XCTAssertEqual(second.measurements, first.measurements)
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
