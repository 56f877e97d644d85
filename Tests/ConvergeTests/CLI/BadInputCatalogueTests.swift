import Foundation
import XCTest
@testable import Converge

/// A catalogue of hostile inputs across `train`, `predict`, `doctor`, `lr-find`, `schedule` and
/// `init-check`, run through the built `converge` executable. Every case must exit non-zero with
/// exactly one line on standard error that names the file, line and field (or the flag), with no
/// `Fatal error`, backtrace or signal, and must leave every existing run folder byte-identical.
final class BadInputCatalogueTests: XCTestCase {
    /// One hostile input.
    struct Case {
        var name: String
        var arguments: [String]
        /// Substrings the error line must contain (file:line, field, flag, …).
        var expect: [String]
    }

    var folder: URL!

    let baseRecipe = """
    seed: 1
    data: { train: train.csv, validation: 0.25, label: label }
    model: { mlp: { hidden: [8] } }
    optimizer: { name: sgd, lr: 0.1, momentum: 0.9 }
    training: { epochs: 2, batch_size: 8 }
    output: trained
    """

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("converge-catalogue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    /// Writes `<name>.yaml`: the base recipe with `changes` applied (old → new), or `text`.
    func recipe(_ name: String, _ changes: [(String, String)] = [], text: String? = nil) throws -> String {
        var t = text ?? baseRecipe
        for (old, new) in changes {
            precondition(t.contains(old), "catalogue: '\(old)' is not in the recipe")
            t = t.replacingOccurrences(of: old, with: new)
        }
        try write("\(name).yaml", t)
        return "\(name).yaml"
    }

    func layers(_ name: String, _ list: String) throws -> String {
        try recipe(name, [("model: { mlp: { hidden: [8] } }", "model: { layers: [\(list)] }")])
    }

    func testEveryBadInputIsOneClearLineAndChangesNothing() throws {
        // Data: 24 rows, two features, two classes.
        var rows = ["x1,x2,label"]
        for i in 0..<24 { rows.append("\(Float(i % 2 == 0 ? -1 : 1) + Float(i) * 0.01),\(Float(i) * 0.1),\(i % 2)") }
        try write("train.csv", rows.joined(separator: "\n") + "\n")
        try write("test.csv", rows.prefix(9).joined(separator: "\n") + "\n")

        // An existing, finished run folder, and damaged copies of it.
        let trainedRun = try ConvergeProcess.run(["train", try recipe("good"), "--quiet"], in: folder)
        XCTAssertEqual(trainedRun.status, 0, trainedRun.stderr)
        let fm = FileManager.default
        let trained = folder.appendingPathComponent("trained")
        func damagedCopy(_ name: String, _ damage: (URL) throws -> Void) throws {
            let copy = folder.appendingPathComponent(name)
            try fm.copyItem(at: trained, to: copy)
            try damage(copy)
        }
        func editState(_ run: URL, _ edit: (inout [String: Any]) -> Void) throws {
            let url = run.appendingPathComponent("checkpoint/state.json").resolvingSymlinksInPath()
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            edit(&json)
            try JSONSerialization.data(withJSONObject: json).write(to: url)
            // Keep the manifest in step so the field check, not the checksum, is what fires.
            let manifestURL = url.deletingLastPathComponent().appendingPathComponent("manifest.json")
            var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: [String: [String: Any]]]
            let data = try Data(contentsOf: url)
            manifest["files"]!["state.json"] = ["bytes": data.count, "crc32c": Int(data.withUnsafeBytes { CRC32C.checksum($0) })]
            try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        }
        try damagedCopy("bad-epoch") { try editState($0) { $0["epoch"] = -1 } }
        try damagedCopy("bad-step") { try editState($0) { $0["globalStep"] = -5 } }
        try damagedCopy("bad-batch") { try editState($0) { $0["nextBatch"] = 999; $0["sampleCount"] = 8; $0["epoch"] = 1; $0["history"] = [($0["history"] as! [Any])[0]] } }
        try damagedCopy("bad-random") { try editState($0) { $0["randomState"] = ["1", "2"] } }
        try damagedCopy("bad-json") { run in
            let url = run.appendingPathComponent("checkpoint/state.json").resolvingSymlinksInPath()
            try Data("{ not json".utf8).write(to: url)
        }
        try damagedCopy("bad-checksum") { run in
            let url = run.appendingPathComponent("checkpoint/model.safetensors").resolvingSymlinksInPath()
            var data = try Data(contentsOf: url)
            data[data.count - 1] ^= 0xFF
            try data.write(to: url)
        }
        try damagedCopy("bad-weights") { run in
            let url = run.appendingPathComponent("model.safetensors")
            var data = try Data(contentsOf: url)
            for i in (data.count - 8)..<data.count { data[i] = 0xFF }   // NaN bit patterns
            try data.write(to: url)
        }
        try damagedCopy("bad-header") { run in
            var data = Data(count: 8)
            data[0] = 0xFF; data[1] = 0xFF; data[7] = 0x7F   // header length near 2^63
            try data.write(to: run.appendingPathComponent("model.safetensors"))
        }
        try damagedCopy("bad-modeljson") { try Data("[1,2".utf8).write(to: $0.appendingPathComponent("model.json")) }
        let notes = folder.appendingPathComponent("notes")
        try fm.createDirectory(at: notes, withIntermediateDirectories: true)
        try write("notes/keep.txt", "mine")

        // Bad data files.
        try write("one-row.csv", "x1,x2,label\n1,2,1\n")
        try write("header-only.csv", "x1,x2,label\n")
        try write("nan.csv", rows.prefix(5).joined(separator: "\n") + "\nnan,1,0\n")
        try write("ragged.csv", rows.prefix(5).joined(separator: "\n") + "\n1,2\n")
        try write("text.csv", rows.prefix(5).joined(separator: "\n") + "\nabc,1,0\n")
        try write("fraction-label.csv", rows.prefix(5).joined(separator: "\n") + "\n1,1,0.5\n")
        try write("one-class.csv", "x1,x2,label\n" + (0..<10).map { "\($0),1,1" }.joined(separator: "\n") + "\n")
        try write("huge-label.csv", rows.prefix(9).joined(separator: "\n") + "\n1,1,16777215\n")
        try write("missing-column.csv", "x1,label\n1,0\n2,1\n")
        try Data([0x78, 0x31, 0x2C, 0xFF, 0xFE, 0x0A, 0x31, 0x2C, 0x32, 0x0A]).write(to: folder.appendingPathComponent("binary.csv"))
        func npy(_ name: String, shape: String, payload: Int, descr: String = "<f4") throws {
            var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
            while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
            header += "\n"
            var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
            data += Data(header.utf8) + Data(count: payload)
            try data.write(to: folder.appendingPathComponent(name))
        }
        try npy("zero.npy", shape: "(0, 3)", payload: 0)
        try npy("zero_labels.npy", shape: "(0,)", payload: 0)
        try npy("huge.npy", shape: "(4611686018427387904, 4)", payload: 64)
        try npy("huge_labels.npy", shape: "(4,)", payload: 16)
        try npy("short.npy", shape: "(10, 3)", payload: 12)
        try npy("short_labels.npy", shape: "(10,)", payload: 40)
        try npy("pairs.npy", shape: "(10, 3)", payload: 120)
        try npy("pairs_labels.npy", shape: "(7,)", payload: 28)
        try npy("objects.npy", shape: "(4, 3)", payload: 48, descr: "|O")
        try npy("objects_labels.npy", shape: "(4,)", payload: 16)
        try npy("negdim.npy", shape: "(-4, 3)", payload: 48)
        try npy("negdim_labels.npy", shape: "(4,)", payload: 16)
        try Data([0x93, 0x4E, 0x55]).write(to: folder.appendingPathComponent("truncated.npy"))
        func npyRecipe(_ name: String, _ file: String) throws -> String {
            try recipe(name, [("data: { train: train.csv, validation: 0.25, label: label }",
                               "data: { train: \(file), label: '{name}_labels.npy' }")])
        }
        try Data([0x73, 0x65, 0x65, 0x64, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]).write(to: folder.appendingPathComponent("latin1.yaml"))
        try fm.createDirectory(at: folder.appendingPathComponent("dir.yaml"), withIntermediateDirectories: true)

        // Sequence models whose embedding, attention or recurrent state cannot fit: refused by
        // the memory estimate before anything is allocated.
        var generator = SystemRandomNumberGenerator()
        try write("corpus.txt", String((0..<60_000).map { _ in "abcdefgh ".randomElement(using: &generator)! }))
        func sequenceRecipe(_ name: String, context: Int, _ model: String) throws -> String {
            try write("\(name).yaml", """
            data: { train: corpus.txt, format: text, tokenization: characters, context: \(context) }
            model:
            \(model)
            training: { epochs: 1, batch_size: 8 }
            """)
            return "\(name).yaml"
        }

        let max = "9223372036854775807"
        let cases: [Case] = [
            // Sizes that overflow or cannot fit.
            Case(name: "hidden Int.max", arguments: ["train", try recipe("h1", [("hidden: [8]", "hidden: [\(max)]")])], expect: ["h1.yaml:3", "model.mlp.hidden"]),
            Case(name: "hidden too big for memory", arguments: ["train", try recipe("h2", [("hidden: [8]", "hidden: [100000, 100000]")])], expect: ["h2.yaml:3", "GiB", "hidden[1] = 100000"]),
            Case(name: "hidden zero", arguments: ["train", try recipe("h3", [("hidden: [8]", "hidden: [0]")])], expect: ["h3.yaml:3", "hidden[0]"]),
            Case(name: "hidden negative", arguments: ["train", try recipe("h4", [("hidden: [8]", "hidden: [-5]")])], expect: ["h4.yaml:3", "hidden[0]"]),
            Case(name: "hidden not a list", arguments: ["train", try recipe("h5", [("hidden: [8]", "hidden: abc")])], expect: ["h5.yaml:3", "model.mlp.hidden"]),
            Case(name: "hidden above Int.max", arguments: ["train", try recipe("h6", [("hidden: [8]", "hidden: [99999999999999999999999]")])], expect: ["h6.yaml:3", "model.mlp.hidden"]),
            Case(name: "conv kernel 2^63-1", arguments: ["train", try layers("c1", "{reshape: [1, 2]}, {conv1d: {out: 2, kernel: \(max)}}, {flatten: {}}, {linear: {out: 1}}")], expect: ["c1.yaml:3", "kernel"]),
            Case(name: "conv stride 0", arguments: ["train", try layers("c2", "{reshape: [1, 2]}, {conv1d: {out: 2, kernel: 1, stride: 0}}, {flatten: {}}, {linear: {out: 1}}")], expect: ["c2.yaml:3", "stride"]),
            Case(name: "conv padding 1e300", arguments: ["train", try layers("c3", "{reshape: [1, 2]}, {conv1d: {out: 2, kernel: 1, padding: 1e300}}, {flatten: {}}, {linear: {out: 1}}")], expect: ["c3.yaml:3", "padding"]),
            Case(name: "conv dilation Int.max", arguments: ["train", try layers("c4", "{reshape: [1, 2]}, {conv1d: {out: 2, kernel: 2, dilation: \(max)}}, {flatten: {}}, {linear: {out: 1}}")], expect: ["c4.yaml:3", "conv1d"]),
            Case(name: "conv out huge", arguments: ["train", try layers("c5", "{reshape: [1, 2]}, {conv1d: {out: 2000000000, kernel: 1}}, {flatten: {}}, {linear: {out: 1}}")], expect: ["c5.yaml:3", "GiB"]),
            Case(name: "embedding too big for memory", arguments: ["train", try sequenceRecipe("m1", context: 16, "  layers: [{embedding: {vocab: 900000000, dim: 64}}, {linear: {out: 9}}]")],
                 expect: ["m1.yaml:3", "model.layers[0]", "GiB", "embedding vocab 900000000 × dim 64", "this machine has"]),
            Case(name: "positions too big for memory", arguments: ["train", try sequenceRecipe("m2", context: 16, "  layers: [{embedding: {vocab: 9, dim: 64}}, {positional_embedding: {max_length: 900000000}}, {linear: {out: 9}}]")],
                 expect: ["m2.yaml:3", "model.layers[1]", "GiB", "max_length 900000000"]),
            Case(name: "attention too big for memory", arguments: ["train", try sequenceRecipe("m3", context: 4000, "  layers: [{embedding: {vocab: 9, dim: 8}}, {transformer_block: {heads: 8}}, {linear: {out: 9}}]")],
                 expect: ["m3.yaml:3", "model.layers[1]", "GiB for its activations at batch_size 8", "attention over 4000 positions × 8 heads"]),
            Case(name: "transformer ffn too big for memory", arguments: ["train", try sequenceRecipe("m4", context: 16, "  layers: [{embedding: {vocab: 9, dim: 64}}, {transformer_block: {heads: 4, ffn: 900000000}}, {linear: {out: 9}}]")],
                 expect: ["m4.yaml:3", "model.layers[1]", "GiB", "ffn 900000000"]),
            Case(name: "lstm too big for memory", arguments: ["train", try layers("m5", "{reshape: [2, 1]}, {lstm: {hidden: 100000, last: true}}, {linear: {out: 2}}")],
                 expect: ["m5.yaml:3", "model.layers[1]", "GiB", "lstm hidden 100000"]),
            Case(name: "gru layers too big for memory", arguments: ["train", try layers("m6", "{reshape: [2, 1]}, {gru: {hidden: 20000, layers: 60, last: true}}, {linear: {out: 2}}")],
                 expect: ["m6.yaml:3", "model.layers[1]", "GiB", "gru hidden 20000 × 60 layers"]),
            Case(name: "gpt too big for memory", arguments: ["train", try sequenceRecipe("m7", context: 16, "  gpt: { d_model: 65536, heads: 4, layers: 12 }")],
                 expect: ["m7.yaml:3", "model.gpt", "GiB", "d_model 65536"]),
            // Found by FuzzRecipe: BatchNorm cannot normalize a batch of one example.
            Case(name: "batchnorm with batch_size 1", arguments: ["train", try recipe("m8", [("hidden: [8] }", "hidden: [1, 4], batchnorm: true }"),
                                                                                             ("batch_size: 8", "batch_size: 1")])],
                 expect: ["m8.yaml", "training.batch_size", "BatchNorm needs at least 2 examples"]),
            Case(name: "linear out 1e300", arguments: ["train", try layers("l1", "{linear: {out: 1e300}}")], expect: ["l1.yaml:3", "out"]),
            Case(name: "linear out fraction", arguments: ["train", try layers("l2", "{linear: {out: 2.5}}")], expect: ["l2.yaml:3", "out"]),
            Case(name: "linear out negative", arguments: ["train", try layers("l3", "{linear: {out: -3}}")], expect: ["l3.yaml:3", "out"]),
            Case(name: "reshape overflow", arguments: ["train", try layers("r1", "{reshape: [\(max), 2]}, {flatten: {}}, {linear: {out: 1}}")], expect: ["r1.yaml:3", "reshape"]),
            Case(name: "reshape zero", arguments: ["train", try layers("r2", "{reshape: [0]}, {linear: {out: 1}}")], expect: ["r2.yaml:3", "reshape"]),
            Case(name: "reshape two -1", arguments: ["train", try layers("r3", "{reshape: [-1, -1]}, {linear: {out: 1}}")], expect: ["r3.yaml:3", "reshape"]),
            Case(name: "maxpool kernel too big", arguments: ["train", try layers("p1", "{reshape: [1, 2]}, {maxpool1d: {kernel: 5}}, {flatten: {}}, {linear: {out: 1}}")], expect: ["p1.yaml:3", "maxpool1d"]),
            Case(name: "batch_size Int.max", arguments: ["train", try recipe("b1", [("batch_size: 8", "batch_size: \(max)")])], expect: ["b1.yaml:5", "training.batch_size"]),
            Case(name: "batch_size zero", arguments: ["train", try recipe("b2", [("batch_size: 8", "batch_size: 0")])], expect: ["b2.yaml:5", "training.batch_size"]),
            Case(name: "epochs Int.max", arguments: ["train", try recipe("e1", [("epochs: 2", "epochs: \(max)")])], expect: ["e1.yaml:5", "training.epochs"]),
            Case(name: "epochs negative", arguments: ["train", try recipe("e2", [("epochs: 2", "epochs: -1")])], expect: ["e2.yaml:5", "training.epochs"]),
            Case(name: "epochs fraction", arguments: ["train", try recipe("e3", [("epochs: 2", "epochs: 2.5")])], expect: ["e3.yaml:5", "training.epochs"]),
            Case(name: "accumulation zero", arguments: ["train", try recipe("a1", [("batch_size: 8", "batch_size: 8, accumulation_steps: 0")])], expect: ["a1.yaml:5", "accumulation_steps"]),
            Case(name: "accumulation Int.max", arguments: ["train", try recipe("a2", [("batch_size: 8", "batch_size: 8, accumulation_steps: \(max)")])], expect: ["a2.yaml:5", "accumulation_steps"]),
            Case(name: "checkpoint steps negative", arguments: ["train", try recipe("k1", [("batch_size: 8", "batch_size: 8, checkpoint_every_steps: -3")])], expect: ["k1.yaml:5", "checkpoint_every_steps"]),
            Case(name: "sixteen million classes", arguments: ["train", try recipe("n1", [("train: train.csv", "train: huge-label.csv")])], expect: ["huge-label.csv:10", "16777215"]),
            Case(name: "num_classes huge", arguments: ["train", try recipe("n2", [("label: label }", "label: label, num_classes: 4000000000 }")])], expect: ["n2.yaml:2", "num_classes"]),
            // Library preconditions, checked by the recipe reader.
            Case(name: "lr negative", arguments: ["train", try recipe("o1", [("lr: 0.1", "lr: -1")])], expect: ["o1.yaml:4", "optimizer.lr"]),
            Case(name: "lr nan", arguments: ["train", try recipe("o2", [("lr: 0.1", "lr: .nan")])], expect: ["o2.yaml:4", "optimizer.lr"]),
            Case(name: "lr text", arguments: ["train", try recipe("o3", [("lr: 0.1", "lr: fast")])], expect: ["o3.yaml:4", "optimizer.lr"]),
            Case(name: "weight decay negative", arguments: ["train", try recipe("o4", [("lr: 0.1", "lr: 0.1, weight_decay: -0.1")])], expect: ["o4.yaml:4", "optimizer.weight_decay"]),
            Case(name: "momentum negative", arguments: ["train", try recipe("o5", [("momentum: 0.9", "momentum: -0.5")])], expect: ["o5.yaml:4", "optimizer.momentum"]),
            Case(name: "nesterov with dampening", arguments: ["train", try recipe("o6", [("momentum: 0.9", "momentum: 0.9, nesterov: true, dampening: 0.1")])], expect: ["o6.yaml:4", "optimizer.nesterov"]),
            Case(name: "nesterov without momentum", arguments: ["train", try recipe("o7", [("momentum: 0.9", "nesterov: true")])], expect: ["o7.yaml:4", "optimizer.nesterov"]),
            Case(name: "dampening above 1", arguments: ["train", try recipe("o8", [("momentum: 0.9", "momentum: 0.9, dampening: 2")])], expect: ["o8.yaml:4", "optimizer.dampening"]),
            Case(name: "betas out of range", arguments: ["train", try recipe("o9", [("name: sgd, lr: 0.1, momentum: 0.9", "name: adam, betas: [1.5, 0.9]")])], expect: ["o9.yaml:4", "optimizer.betas"]),
            Case(name: "eps zero", arguments: ["train", try recipe("o10", [("name: sgd, lr: 0.1, momentum: 0.9", "name: adam, eps: 0")])], expect: ["o10.yaml:4", "optimizer.eps"]),
            Case(name: "rmsprop alpha negative", arguments: ["train", try recipe("o11", [("name: sgd, lr: 0.1, momentum: 0.9", "name: rmsprop, alpha: -1")])], expect: ["o11.yaml:4", "optimizer.alpha"]),
            Case(name: "optimizer unknown", arguments: ["train", try recipe("o12", [("name: sgd", "name: lion")])], expect: ["o12.yaml:4", "optimizer.name"]),
            Case(name: "momentum for adam", arguments: ["train", try recipe("o13", [("name: sgd", "name: adam")])], expect: ["o13.yaml:4", "optimizer.momentum"]),
            Case(name: "one-cycle max_lr negative", arguments: ["train", try recipe("s1", [("output: trained", "schedule: { name: one-cycle, max_lr: -1 }\noutput: trained")])], expect: ["s1.yaml:6", "max_lr"]),
            Case(name: "cosine t_max negative", arguments: ["train", try recipe("s2", [("output: trained", "schedule: { name: cosine, t_max: -5 }\noutput: trained")])], expect: ["s2.yaml:6", "t_max"]),
            Case(name: "schedule unknown parameter", arguments: ["train", try recipe("s3", [("output: trained", "schedule: { name: cosine, speed: 3 }\noutput: trained")])], expect: ["s3.yaml:6", "speed"]),
            Case(name: "step size 1e300", arguments: ["train", try recipe("s4", [("output: trained", "schedule: { name: step, step_size: 1e300 }\noutput: trained")])], expect: ["s4.yaml:6", "step_size"]),
            Case(name: "plateau factor 2", arguments: ["train", try recipe("s5", [("output: trained", "schedule: { name: plateau, factor: 2 }\noutput: trained")])], expect: ["s5.yaml:6", "factor"]),
            Case(name: "schedule unknown", arguments: ["train", try recipe("s6", [("output: trained", "schedule: { name: zigzag }\noutput: trained")])], expect: ["s6.yaml:6", "schedule.name"]),
            Case(name: "batchnorm momentum 5", arguments: ["train", try layers("n3", "{linear: {out: 4}}, {batchnorm: {momentum: 5}}, {linear: {out: 1}}")], expect: ["n3.yaml:3", "momentum"]),
            Case(name: "batchnorm eps negative", arguments: ["train", try layers("n4", "{linear: {out: 4}}, {batchnorm: {eps: -1}}, {linear: {out: 1}}")], expect: ["n4.yaml:3", "eps"]),
            Case(name: "layernorm eps zero", arguments: ["train", try layers("n5", "{linear: {out: 4}}, {layernorm: {eps: 0}}, {linear: {out: 1}}")], expect: ["n5.yaml:3", "eps"]),
            Case(name: "groupnorm groups zero", arguments: ["train", try layers("n6", "{reshape: [2, 1]}, {groupnorm: {groups: 0}}, {flatten: {}}, {linear: {out: 1}}")], expect: ["n6.yaml:3", "groups"]),
            Case(name: "groupnorm groups not dividing", arguments: ["train", try layers("n7", "{reshape: [2, 1]}, {groupnorm: {groups: 3}}, {flatten: {}}, {linear: {out: 1}}")], expect: ["n7.yaml:3", "groups"]),
            Case(name: "mlp dropout 1.5", arguments: ["train", try recipe("d1", [("hidden: [8]", "hidden: [8], dropout: 1.5")])], expect: ["d1.yaml:3", "model.mlp.dropout"]),
            Case(name: "dropout p negative", arguments: ["train", try layers("d2", "{dropout: {p: -0.1}}, {linear: {out: 1}}")], expect: ["d2.yaml:3", "p"]),
            Case(name: "leaky slope nan", arguments: ["train", try layers("d3", "{linear: {out: 4}}, {leaky_relu: {slope: .nan}}, {linear: {out: 1}}")], expect: ["d3.yaml:3", "slope"]),
            Case(name: "clip_norm negative", arguments: ["train", try recipe("t1", [("batch_size: 8", "batch_size: 8, clip_norm: -1")])], expect: ["t1.yaml:5", "clip_norm"]),
            Case(name: "clip_value zero", arguments: ["train", try recipe("t2", [("batch_size: 8", "batch_size: 8, clip_value: 0")])], expect: ["t2.yaml:5", "clip_value"]),
            Case(name: "precision float8", arguments: ["train", try recipe("t3", [("batch_size: 8", "batch_size: 8, precision: float8")])], expect: ["t3.yaml:5", "precision"]),
            Case(name: "patience zero", arguments: ["train", try recipe("t4", [("batch_size: 8", "batch_size: 8, early_stopping: { patience: 0 }")])], expect: ["t4.yaml:5", "patience"]),
            Case(name: "monitor unknown", arguments: ["train", try recipe("t5", [("batch_size: 8", "batch_size: 8, early_stopping: { monitor: val_nonsense }")])], expect: ["t5.yaml:5", "monitor"]),
            Case(name: "seed negative", arguments: ["train", try recipe("t6", [("seed: 1", "seed: -1")])], expect: ["t6.yaml:1", "seed"]),
            Case(name: "seed 1e30", arguments: ["train", try recipe("t7", [("seed: 1", "seed: 1e30")])], expect: ["t7.yaml:1", "seed"]),
            // Recipe files themselves.
            Case(name: "duplicate key", arguments: ["train", try recipe("y1", [("lr: 0.1", "lr: 0.1, lr: 0.5")])], expect: ["y1.yaml:4", "duplicate", "lr"]),
            Case(name: "duplicate section", arguments: ["train", try recipe("y2", [("output: trained", "seed: 3\noutput: trained")])], expect: ["y2.yaml:6", "duplicate", "seed"]),
            Case(name: "not UTF-8", arguments: ["train", "latin1.yaml"], expect: ["latin1.yaml", "UTF-8"]),
            Case(name: "empty recipe", arguments: ["train", try recipe("y3", text: "")], expect: ["y3.yaml", "empty"]),
            Case(name: "unclosed bracket", arguments: ["train", try recipe("y4", [("hidden: [8]", "hidden: [8")])], expect: ["y4.yaml:", "YAML"]),
            Case(name: "unknown section", arguments: ["train", try recipe("y5", [("seed: 1", "seed: 1\nmodle: {}")])], expect: ["y5.yaml:2", "modle"]),
            Case(name: "recipe missing", arguments: ["train", "nope.yaml"], expect: ["nope.yaml", "not found"]),
            Case(name: "recipe is a folder", arguments: ["train", "dir.yaml"], expect: ["dir.yaml", "folder"]),
            Case(name: "task unknown", arguments: ["train", try recipe("y6", [("label: label }", "label: label, task: clustering }")])], expect: ["y6.yaml:2", "data.task"]),
            Case(name: "validation 1.5", arguments: ["train", try recipe("y7", [("validation: 0.25", "validation: 1.5")])], expect: ["y7.yaml:2", "data.validation"]),
            Case(name: "data file missing", arguments: ["train", try recipe("y8", [("train: train.csv", "train: nope.csv")])], expect: ["y8.yaml", "data.train", "not found"]),
            // Data edge cases.
            Case(name: "one-row CSV with validation split", arguments: ["train", try recipe("f1", [("train: train.csv", "train: one-row.csv")])], expect: ["one-row.csv", "validation"]),
            Case(name: "header-only CSV", arguments: ["train", try recipe("f2", [("train: train.csv", "train: header-only.csv")])], expect: ["header-only.csv"]),
            Case(name: "NaN in CSV", arguments: ["train", try recipe("f3", [("train: train.csv", "train: nan.csv")])], expect: ["nan.csv:6", "x1"]),
            Case(name: "ragged CSV", arguments: ["train", try recipe("f4", [("train: train.csv", "train: ragged.csv")])], expect: ["ragged.csv:6"]),
            Case(name: "text in CSV", arguments: ["train", try recipe("f5", [("train: train.csv", "train: text.csv")])], expect: ["text.csv:6", "x1"]),
            Case(name: "fractional label", arguments: ["train", try recipe("f6", [("train: train.csv", "train: fraction-label.csv")])], expect: ["fraction-label.csv:6", "label"]),
            Case(name: "one class", arguments: ["train", try recipe("f7", [("train: train.csv", "train: one-class.csv")])], expect: ["f7.yaml", "data.label", "one class"]),
            Case(name: "label column missing", arguments: ["train", try recipe("f8", [("label: label }", "label: target }")])], expect: ["train.csv:1", "target"]),
            Case(name: "binary CSV", arguments: ["train", try recipe("f9", [("train: train.csv", "train: binary.csv")])], expect: ["binary.csv:1", "UTF-8"]),
            Case(name: "NPY zero rows", arguments: ["train", try npyRecipe("g1", "zero.npy")], expect: ["zero.npy", "no data rows"]),
            Case(name: "NPY shape 2^62", arguments: ["train", try npyRecipe("g2", "huge.npy")], expect: ["huge.npy", "shape"]),
            Case(name: "NPY truncated data", arguments: ["train", try npyRecipe("g3", "short.npy")], expect: ["short.npy"]),
            Case(name: "NPY labels do not pair", arguments: ["train", try npyRecipe("g4", "pairs.npy")], expect: ["g4.yaml", "data.train"]),
            Case(name: "NPY object dtype", arguments: ["train", try npyRecipe("g5", "objects.npy")], expect: ["objects.npy", "dtype"]),
            Case(name: "NPY truncated header", arguments: ["train", try npyRecipe("g6", "truncated.npy")], expect: ["truncated.npy"]),
            Case(name: "NPY negative dimension", arguments: ["train", try npyRecipe("g7", "negdim.npy")], expect: ["negdim.npy", "shape"]),
            // Flags and run folders.
            Case(name: "--epochs 0", arguments: ["train", "good.yaml", "--epochs", "0"], expect: ["--epochs"]),
            Case(name: "--epochs negative", arguments: ["train", "good.yaml", "--epochs", "-3"], expect: ["--epochs", "-3"]),
            Case(name: "--epochs overflow", arguments: ["train", "good.yaml", "--epochs", "99999999999999999999"], expect: ["--epochs"]),
            Case(name: "--epochs huge", arguments: ["train", "good.yaml", "--epochs", max], expect: ["--epochs"]),
            Case(name: "unknown flag", arguments: ["train", "good.yaml", "--fast"], expect: ["--fast"]),
            Case(name: "existing output", arguments: ["train", "good.yaml"], expect: ["trained", "already holds files"]),
            Case(name: "overwrite a non-run folder", arguments: ["train", "good.yaml", "--output", "notes", "--overwrite"], expect: ["notes", "not a converge run folder"]),
            Case(name: "output is a file", arguments: ["train", "good.yaml", "--output", "train.csv"], expect: ["train.csv", "not a folder"]),
            Case(name: "resume missing folder", arguments: ["train", "good.yaml", "--resume", "nowhere"], expect: ["nowhere", "no checkpoint"]),
            Case(name: "resume a non-run folder", arguments: ["train", "good.yaml", "--resume", "notes"], expect: ["notes", "no checkpoint"]),
            Case(name: "resume with another lr", arguments: ["train", try recipe("z1", [("lr: 0.1", "lr: 0.5")]), "--resume", "trained", "--epochs", "3"], expect: ["recipe.optimizer", "--allow-changes"]),
            Case(name: "resume with other data", arguments: ["train", try recipe("z2", [("train: train.csv", "train: test.csv")]), "--resume", "trained"], expect: ["data.train", "--allow-changes"]),
            Case(name: "checkpoint negative epoch", arguments: ["train", "good.yaml", "--resume", "bad-epoch"], expect: ["state.json", "epoch"]),
            Case(name: "checkpoint negative step", arguments: ["train", "good.yaml", "--resume", "bad-step"], expect: ["state.json", "globalStep"]),
            Case(name: "checkpoint batch out of range", arguments: ["train", "good.yaml", "--resume", "bad-batch"], expect: ["state.json", "nextBatch"]),
            Case(name: "checkpoint random state", arguments: ["train", "good.yaml", "--resume", "bad-random"], expect: ["state.json", "randomState"]),
            Case(name: "checkpoint not JSON", arguments: ["train", "good.yaml", "--resume", "bad-json"], expect: ["state.json"]),
            Case(name: "checkpoint damaged", arguments: ["train", "good.yaml", "--resume", "bad-checksum"], expect: ["model.safetensors", "checksum"]),
            // predict
            Case(name: "predict missing folder", arguments: ["predict", "--model", "nowhere", "--data", "test.csv"], expect: ["nowhere"]),
            Case(name: "predict missing data", arguments: ["predict", "--model", "trained", "--data", "nope.csv"], expect: ["nope.csv"]),
            Case(name: "predict missing column", arguments: ["predict", "--model", "trained", "--data", "missing-column.csv"], expect: ["missing-column.csv:1", "x2"]),
            Case(name: "predict NaN data", arguments: ["predict", "--model", "trained", "--data", "nan.csv"], expect: ["nan.csv:6", "x1"]),
            Case(name: "predict NaN weights", arguments: ["predict", "--model", "bad-weights", "--data", "test.csv"], expect: ["model.safetensors", "NaN"]),
            Case(name: "predict header size", arguments: ["predict", "--model", "bad-header", "--data", "test.csv"], expect: ["model.safetensors", "header"]),
            Case(name: "predict bad model.json", arguments: ["predict", "--model", "bad-modeljson", "--data", "test.csv"], expect: ["model.json"]),
            Case(name: "predict output folder missing", arguments: ["predict", "--model", "trained", "--data", "test.csv", "--output", "no/such/out.csv"], expect: ["no/such/out.csv"]),
            Case(name: "predict data is binary", arguments: ["predict", "--model", "trained", "--data", "binary.csv"], expect: ["binary.csv:1", "UTF-8"]),
            // schedule
            Case(name: "schedule steps huge", arguments: ["schedule", "one-cycle", "--max-lr", "0.1", "--steps", "9999999999999"], expect: ["--steps"]),
            Case(name: "schedule steps negative", arguments: ["schedule", "cosine", "--base-lr", "0.1", "--steps", "-3"], expect: ["--steps"]),
            Case(name: "schedule max-lr negative", arguments: ["schedule", "one-cycle", "--max-lr", "-1", "--steps", "10"], expect: ["--max-lr"]),
            Case(name: "schedule negative eta-min", arguments: ["schedule", "cosine", "--base-lr", "0.1", "--steps", "10", "--eta-min", "-3"], expect: ["--eta-min", "-3"]),
            Case(name: "schedule max-lr text", arguments: ["schedule", "one-cycle", "--max-lr", "abc", "--steps", "10"], expect: ["--max-lr"]),
            Case(name: "schedule unknown", arguments: ["schedule", "zigzag", "--steps", "10"], expect: ["zigzag"]),
            Case(name: "schedule svg folder missing", arguments: ["schedule", "cosine", "--base-lr", "0.1", "--steps", "10", "--svg", "no/such/x.svg"], expect: ["no/such/x.svg", "no such file"]),
            // init-check
            Case(name: "init-check depth 0", arguments: ["init-check", "--init", "he", "--activation", "relu", "--depth", "0", "--width", "8"], expect: ["--depth"]),
            Case(name: "init-check width negative", arguments: ["init-check", "--init", "he", "--activation", "relu", "--depth", "2", "--width", "-5"], expect: ["--width", "-5"]),
            Case(name: "init-check width huge", arguments: ["init-check", "--init", "he", "--activation", "relu", "--depth", "2", "--width", "1000000"], expect: ["--width", "GiB"]),
            Case(name: "init-check depth huge", arguments: ["init-check", "--init", "he", "--activation", "relu", "--depth", max, "--width", "8"], expect: ["--depth"]),
            Case(name: "init-check samples 1", arguments: ["init-check", "--init", "he", "--activation", "relu", "--depth", "2", "--width", "8", "--samples", "1"], expect: ["--samples"]),
            Case(name: "init-check unknown init", arguments: ["init-check", "--init", "magic", "--activation", "relu", "--depth", "2", "--width", "8"], expect: ["--init", "magic"]),
            // lr-find
            Case(name: "lr-find start negative", arguments: ["lr-find", "good.yaml", "--start-lr", "-1"], expect: ["--start-lr"]),
            Case(name: "lr-find steps 1", arguments: ["lr-find", "good.yaml", "--steps", "1"], expect: ["--steps"]),
            Case(name: "lr-find steps huge", arguments: ["lr-find", "good.yaml", "--steps", max], expect: ["--steps"]),
            Case(name: "lr-find bad recipe", arguments: ["lr-find", "o4.yaml"], expect: ["o4.yaml:4", "optimizer.weight_decay"]),
            // doctor
            Case(name: "doctor epochs 0", arguments: ["doctor", "good.yaml", "--epochs", "0"], expect: ["--epochs"]),
            Case(name: "doctor epochs huge", arguments: ["doctor", "good.yaml", "--epochs", max], expect: ["--epochs"]),
            Case(name: "doctor bad recipe", arguments: ["doctor", "h1.yaml"], expect: ["h1.yaml:3", "model.mlp.hidden"]),
            // (Bad data is a doctor finding on standard output, not a usage error.)
            Case(name: "doctor recipe missing", arguments: ["doctor", "nope.yaml"], expect: ["nope.yaml", "not found"]),
        ]
        XCTAssertGreaterThanOrEqual(cases.count, 80)

        let protected = ["trained", "bad-epoch", "bad-step", "bad-batch", "bad-random", "bad-json", "bad-checksum",
                         "bad-weights", "bad-header", "bad-modeljson", "notes"].map { folder.appendingPathComponent($0) }
        let before = protected.map(ConvergeProcess.snapshot)
        var failures: [String] = []
        for c in cases {
            let result = try ConvergeProcess.run(c.arguments, in: folder)
            let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
            if ProcessInfo.processInfo.environment["CATALOGUE_VERBOSE"] != nil {
                print("[\(c.name)] \(result.status): \(result.stderr.replacingOccurrences(of: folder.path + "/", with: ""))", terminator: "")
            }
            var problems: [String] = []
            if result.signaled { problems.append("killed by signal \(result.status)") }
            if result.status == 0 { problems.append("exit status 0") }
            if lines.count != 1 { problems.append("\(lines.count) lines on stderr") }
            for bad in ["Fatal error", "Stack dump", "backtrace", "Error Domain=", "Segmentation"] where result.stderr.contains(bad) {
                problems.append("stderr has '\(bad)'")
            }
            for needle in c.expect where !result.stderr.contains(needle) { problems.append("no '\(needle)'") }
            if !problems.isEmpty {
                failures.append("\(c.name): \(problems.joined(separator: ", ")) — stderr: \(result.stderr.prefix(400))")
            }
            for (url, snapshot) in zip(protected, before) where ConvergeProcess.snapshot(url) != snapshot {
                failures.append("\(c.name): changed \(url.lastPathComponent)/")
            }
        }
        XCTAssertTrue(failures.isEmpty, "\(failures.count) of \(cases.count) cases failed:\n" + failures.joined(separator: "\n"))
    }
}
