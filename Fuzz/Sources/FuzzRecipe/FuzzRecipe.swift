import Converge
import ConvergeCore
import Foundation

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-fuzz-recipe-\(getpid())")
let url = folder.appendingPathComponent("recipe.yaml")

/// The per-sample input a recipe's first layer expects, for building its model.
func inputShape(_ spec: Recipe.ModelSpec) -> [Int] {
    guard case .layers(let layers) = spec, let first = layers.first else { return [6] }
    switch first.kind {
    case "embedding", "gpt": return [8]
    case "conv2d", "maxpool2d", "avgpool2d": return [2, 8, 8]
    case "conv1d", "maxpool1d", "avgpool1d", "lstm", "gru", "transformer_block", "positional_embedding",
         "global_avg_pool", "instancenorm": return [4, 8]
    default: return [6]
    }
}

/// libFuzzer entry: the bytes are a recipe file, read as `train` reads it (UTF-8 check, YAML,
/// every field validated). When it is valid, its model is built behind the memory estimate
/// (capped at 256 MiB by `CONVERGE_MEMORY_LIMIT`), run forward on two examples of zeros, and
/// its optimizer and schedule are made and stepped, so that a value the reader accepts but the
/// library traps on is found.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecipe(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    setenv("CONVERGE_MEMORY_LIMIT", "268435456", 1)
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    guard (try? data.write(to: url)) != nil, let recipe = try? Recipe.load(from: url) else { return 0 }
    var outputs = 3
    if case .layers(let layers) = recipe.model, let gpt = layers.first(where: { $0.kind == "gpt" }),
       let vocabulary = gpt.options["vocab_size"], vocabulary >= 1, vocabulary <= 4096 {
        outputs = Int(vocabulary)
    }
    let shape = inputShape(recipe.model)
    // Two examples: `train` refuses a BatchNorm model whose batches could hold one example
    // (RecipeSession), so a one-example training batch is not an input the library gets.
    let batch = 2
    guard let model = try? ModelBuilder.build(recipe.model, inputShape: shape, outputs: outputs, file: url.path,
                                              batchSize: batch) else { return 0 }
    _ = withNoGrad { model(Tensor.zeros([batch] + shape)) }
    if let schedule = recipe.schedule, schedule.validate() == nil {
        let steps = max(1, min(recipe.training.epochs, 1000))
        if let s = schedule.makeSchedule(learningRate: recipe.optimizer.learningRate, steps: steps) {
            for step in [0, 1, steps / 2, steps] { _ = s.learningRate(atStep: step); _ = s.momentum(atStep: step) }
        }
        _ = schedule.makePlateau(learningRate: recipe.optimizer.learningRate)
    }
    return 0
}
