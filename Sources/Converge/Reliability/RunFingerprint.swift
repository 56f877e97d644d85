import Foundation

/// What a run's checkpoints must agree with to be resumed: the training-relevant recipe fields
/// (seed, data options, model, optimizer, schedule, training options) and every data file's size
/// and CRC-32C. Stored as checkpoint metadata; a resume whose recipe or data differ is refused,
/// naming what differs, unless the user allows changes (`--allow-changes`).
public struct RunFingerprint: Equatable {
    /// Entries by name (`recipe.optimizer`, `data.train`, …), each a canonical text.
    public var entries: [String: String]

    /// The prefix that marks fingerprint entries among checkpoint metadata.
    static let prefix = "fingerprint."

    /// Creates a fingerprint from entries.
    public init(entries: [String: String]) { self.entries = entries }

    /// The fingerprint of `recipe` with its data files (`epochs` is not part of it).
    public init(recipe: Recipe, epochs: Int) throws {
        var e: [String: String] = [:]
        e["recipe.seed"] = String(recipe.seed)
        let d = recipe.data
        e["recipe.data"] = "label=\(d.label) task=\(d.task.rawValue) standardize=\(d.standardize) num_classes=\(d.numClasses.map(String.init) ?? "-") validation=\(d.validation)"
        switch recipe.model {
        case .mlp(let m):
            e["recipe.model"] = "mlp hidden=\(m.hidden) activation=\(m.activation) batchnorm=\(m.batchNorm) dropout=\(m.dropout) init=\(m.initialization)"
        case .layers(let layers):
            e["recipe.model"] = layers.map { layer in
                let options = layer.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                return "\(layer.kind)(\(options)\(layer.shape.isEmpty ? "" : "shape=\(layer.shape)"))"
            }.joined(separator: " ")
        }
        let o = recipe.optimizer
        e["recipe.optimizer"] = "\(o.name) lr=\(o.learningRate) weight_decay=\(o.weightDecay.map { "\($0)" } ?? "-") momentum=\(o.momentum) nesterov=\(o.nesterov) betas=\(o.betas.0),\(o.betas.1) eps=\(o.eps) alpha=\(o.alpha) centered=\(o.centered) amsgrad=\(o.amsgrad) dampening=\(o.dampening)"
        e["recipe.schedule"] = recipe.schedule.map { s in
            "\(s.kind) lr=\(s.learningRate.map { "\($0)" } ?? "-") interval=\(s.interval)"
        } ?? "none"
        let t = recipe.training
        // Epochs are left out: more epochs on resume is a deliberate choice (`--epochs`), and the
        // schedule keeps the length the run started with.
        e["recipe.training"] = "batch_size=\(t.batchSize) clip_norm=\(t.clipNorm.map { "\($0)" } ?? "-") clip_value=\(t.clipValue.map { "\($0)" } ?? "-") accumulation_steps=\(t.accumulationSteps) early_stopping=\(t.earlyStopping.map { "\($0.patience),\($0.minDelta),\($0.monitor),\($0.restoreBest)" } ?? "-") shuffle=\(t.shuffle) drop_last=\(t.dropLast) checkpoint_every_steps=\(t.checkpointEverySteps.map(String.init) ?? "-") precision=\(t.precision)"
        var files = [("data.train", d.train)]
        if case .file(let path) = d.validation { files.append(("data.validation", path)) }
        if let test = d.test { files.append(("data.test", test)) }
        for (key, path) in files {
            let url = recipe.resolve(path)
            e[key] = try Self.fileDigest(url)
            if url.pathExtension.lowercased() == "npy" {
                let labels = recipe.resolve(d.label.replacingOccurrences(of: "{name}", with: url.deletingPathExtension().lastPathComponent))
                if FileManager.default.fileExists(atPath: labels.path) { e[key + ".labels"] = try Self.fileDigest(labels) }
            }
        }
        entries = e
    }

    /// `1234 bytes, crc32c 0a1b2c3d`.
    static func fileDigest(_ url: URL) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw FileIOError(file: url.path, operation: "read", reason: "the file cannot be read")
        }
        let crc = data.withUnsafeBytes { CRC32C.checksum($0) }
        return "\(data.count) bytes, crc32c \(String(format: "%08x", crc))"
    }

    /// As checkpoint metadata.
    public var metadata: [String: String] {
        Dictionary(uniqueKeysWithValues: entries.map { (Self.prefix + $0.key, $0.value) })
    }

    /// Reads the fingerprint from checkpoint metadata (nil when the checkpoint has none).
    public init?(metadata: [String: String]) {
        let e = metadata.filter { $0.key.hasPrefix(Self.prefix) }
        guard !e.isEmpty else { return nil }
        entries = Dictionary(uniqueKeysWithValues: e.map { (String($0.key.dropFirst(Self.prefix.count)), $0.value) })
    }

    /// What differs from `other` (the checkpoint's), one phrase per entry, sorted by name.
    public func differences(from saved: RunFingerprint) -> [String] {
        Set(entries.keys).union(saved.entries.keys).sorted().compactMap { key in
            let now = entries[key], then = saved.entries[key]
            guard now != then else { return nil }
            let shown = { (v: String?) in v.map { $0.count > 160 ? String($0.prefix(157)) + "…" : $0 } ?? "absent" }
            return "\(key) (checkpoint: \(shown(then)); now: \(shown(now)))"
        }
    }
}
