import ConvergeTestSupport
import XCTest
@testable import Converge

/// Writes Converge-initialized attention layers as safetensors (PyTorch key names) with their
/// outputs for a fixed input, for `python3 scripts/goldens/attention.py --check DIR`, which
/// loads each into PyTorch's module with `load_state_dict(strict=True)` and compares outputs:
///
///     CONVERGE_EXPORT_DIR=/tmp/attn swift test --filter TransformerStateDictExportTests
///     python3 scripts/goldens/attention.py --check /tmp/attn
final class TransformerStateDictExportTests: XCTestCase {
    func testExportForPyTorchStrictLoad() throws {
        let directory = try ProcessInfo.processInfo.environment["CONVERGE_EXPORT_DIR"].map { URL(fileURLWithPath: $0) }
            ?? makeIOTestDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let g = RandomGenerator(seed: 21)
        let x = Tensor.randomNormal([2, 5, 8], generator: g)
        let modules: [(String, Module, (Tensor) -> Tensor)] = {
            let mha = MultiheadAttention(embedDimension: 8, headCount: 2, batchFirst: true, initGenerator: g)
            let post = TransformerEncoderLayer(modelDimension: 8, headCount: 2, feedForwardDimension: 16, dropout: 0,
                                               batchFirst: true, initGenerator: g)
            let pre = TransformerEncoderLayer(modelDimension: 8, headCount: 2, feedForwardDimension: 16, dropout: 0,
                                              activation: .gelu(.none), batchFirst: true, normFirst: true, initGenerator: g)
            return [("mha", mha, { mha(query: $0, key: $0, value: $0, attentionMask: AttentionMask.causal(5)) }),
                    ("encoder_post_ln", post, { post($0, mask: AttentionMask.causal(5)) }),
                    ("encoder_pre_ln", pre, { pre($0, mask: AttentionMask.causal(5)) })]
        }()
        var dump: [String: Any] = ["input": ["shape": x.shape, "data": x.scalars.map(Double.init)]]
        for (name, module, run) in modules {
            module.eval()
            let url = directory.appendingPathComponent("\(name).safetensors")
            try module.saveSafetensors(to: url)
            let y = run(x)
            dump[name] = ["shape": y.shape, "data": y.scalars.map(Double.init)]
            // The file loads back strictly, and a model loaded from it computes the same output.
            let reloaded: Module = name == "mha" ? MultiheadAttention(embedDimension: 8, headCount: 2, batchFirst: true)
                : TransformerEncoderLayer(modelDimension: 8, headCount: 2, feedForwardDimension: 16, dropout: 0,
                                          activation: name == "encoder_pre_ln" ? .gelu(.none) : .relu, batchFirst: true,
                                          normFirst: name == "encoder_pre_ln")
            _ = try reloaded.loadSafetensors(from: url)
            XCTAssertEqual(reloaded.stateDict(keyStyle: .pytorch).map(\.0), module.stateDict(keyStyle: .pytorch).map(\.0))
        }
        let json = try JSONSerialization.data(withJSONObject: dump)
        try json.write(to: directory.appendingPathComponent("outputs.json"))
        XCTAssertEqual(try Safetensors.read(contentsOf: directory.appendingPathComponent("mha.safetensors")).tensors.map(\.0).sorted(),
                       ["in_proj_bias", "in_proj_weight", "out_proj.bias", "out_proj.weight"])
    }
}
