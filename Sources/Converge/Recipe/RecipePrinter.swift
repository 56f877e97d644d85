import Foundation

extension Recipe {
    /// The recipe as YAML with every default filled in (what `converge train --print-recipe`
    /// prints): each section lists all of its keys, with the value the run will use.
    ///
    /// The text parses back to the same recipe (a `gpt` model as a one-layer list). Optional keys that are not set (`data.test`,
    /// `training.clip_norm`, …) and schedule parameters whose default depends on the length of the
    /// run (`total_steps`, `t_max`, …) appear as comments. A layer list shows the options as
    /// written; the other options of each layer keep the defaults of its PyTorch counterpart.
    public func resolvedYAML() -> String {
        var lines: [String] = ["# resolved recipe: \(file.path)"]
        func key(_ indent: Int, _ name: String, _ value: String) { lines.append(String(repeating: "  ", count: indent) + "\(name): \(value)") }
        func unset(_ indent: Int, _ name: String, _ note: String) {
            lines.append(String(repeating: "  ", count: indent) + "# \(name): \(note)")
        }
        key(0, "seed", "\(seed)")

        lines.append("data:")
        key(1, "train", Self.yamlString(data.train))
        switch data.validation {
        case .none: unset(1, "validation", "not set (a fraction such as 0.2, or a file)")
        case .fraction(let f): key(1, "validation", Self.yamlNumber(f))
        case .file(let path): key(1, "validation", Self.yamlString(path))
        }
        if let test = data.test { key(1, "test", Self.yamlString(test)) } else { unset(1, "test", "not set") }
        if let sequence = data.sequence {
            key(1, "format", sequence.format)
            if sequence.format == "text" { key(1, "tokenization", sequence.tokenization.rawValue) }
            key(1, "context", "\(sequence.context)")
            if let stride = sequence.stride { key(1, "stride", "\(stride)") } else { unset(1, "stride", "the context, \(sequence.context)") }
            if sequence.format == "tokens" {
                if let v = sequence.vocabularySize { key(1, "vocab_size", "\(v)") } else { unset(1, "vocab_size", "largest id + 1") }
            }
        } else {
            key(1, "label", Self.yamlString(data.label))
            key(1, "task", data.task.rawValue)
            if let k = data.numClasses { key(1, "num_classes", "\(k)") } else { unset(1, "num_classes", "inferred from the training labels") }
        }
        key(1, "standardize", "\(data.standardize)")
        switch data.missing {
        case .constant(let value): key(1, "missing", "{constant: \(Self.yamlNumber(value))}")
        case .error: key(1, "missing", "error")
        case .mean: key(1, "missing", "mean")
        case .median: key(1, "missing", "median")
        case .mostFrequent: key(1, "missing", "most_frequent")
        }
        key(1, "categorical", "[" + data.categorical.map(Self.yamlString).joined(separator: ", ") + "]")

        lines.append("model:")
        switch model {
        case .mlp(let mlp):
            lines.append("  mlp:")
            key(2, "hidden", "[" + mlp.hidden.map(String.init).joined(separator: ", ") + "]")
            key(2, "activation", mlp.activation)
            key(2, "batchnorm", "\(mlp.batchNorm)")
            key(2, "dropout", Self.yamlNumber(mlp.dropout))
            key(2, "init", mlp.initialization)
        case .layers(let layers):
            lines.append("  layers:")
            for layer in layers { lines.append("    - " + Self.layerEntry(layer)) }
        }

        key(1, "sync_batchnorm", "\(syncBatchNorm)")

        let o = optimizer
        lines.append("optimizer:")
        key(1, "name", o.name)
        key(1, "lr", Self.yamlNumber(o.learningRate))
        key(1, "weight_decay", Self.yamlNumber(o.weightDecay ?? (o.name == "adamw" ? 1e-2 : 0)))
        // Only the options this optimizer takes (the reader refuses the others).
        let takes = Set(Recipe.optimizerOptions[o.name] ?? [])
        func option(_ name: String, _ value: String) { if takes.contains(name) { key(1, name, value) } }
        option("momentum", Self.yamlNumber(o.momentum))
        option("nesterov", "\(o.nesterov)")
        option("betas", "[\(Self.yamlNumber(o.betas.0)), \(Self.yamlNumber(o.betas.1))]")
        option("eps", Self.yamlNumber(o.eps))
        option("alpha", Self.yamlNumber(o.alpha))
        option("centered", "\(o.centered)")
        option("amsgrad", "\(o.amsgrad)")
        option("dampening", Self.yamlNumber(o.dampening))

        if let schedule {
            lines.append("schedule:")
            lines += Self.scheduleLines(schedule, optimizer: o)
        } else {
            lines.append("# schedule: not set (constant learning rate)")
        }

        let t = training
        lines.append("training:")
        key(1, "epochs", "\(t.epochs)")
        key(1, "batch_size", "\(t.batchSize)")
        if let v = t.clipNorm { key(1, "clip_norm", Self.yamlNumber(v)) } else { unset(1, "clip_norm", "not set") }
        if let v = t.clipValue { key(1, "clip_value", Self.yamlNumber(v)) } else { unset(1, "clip_value", "not set") }
        key(1, "accumulation_steps", "\(t.accumulationSteps)")
        if let es = t.earlyStopping {
            lines.append("  early_stopping:")
            key(2, "patience", "\(es.patience)")
            key(2, "min_delta", Self.yamlNumber(es.minDelta))
            key(2, "monitor", Self.yamlString(es.monitor))
            key(2, "restore_best", "\(es.restoreBest)")
        } else {
            unset(1, "early_stopping", "not set")
        }
        key(1, "shuffle", "\(t.shuffle)")
        key(1, "drop_last", "\(t.dropLast)")
        if let v = t.checkpointEverySteps { key(1, "checkpoint_every_steps", "\(v)") } else { unset(1, "checkpoint_every_steps", "not set (a checkpoint after every epoch)") }
        key(1, "precision", t.precision)
        if let output { key(0, "output", Self.yamlString(output)) } else {
            lines.append("# output: not set (runs/\(file.deletingPathExtension().lastPathComponent))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One layer as a flow-style entry: `conv1d: {kernel: 3.0, out: 4.0}`, `reshape: [1, 8]`,
    /// `residual: {layers: [{linear: {out: 8.0}}, {relu: {}}]}`.
    static func layerEntry(_ layer: LayerSpec) -> String {
        if layer.kind == "reshape" { return "reshape: [" + layer.shape.map(String.init).joined(separator: ", ") + "]" }
        if layer.kind == "residual" {
            return "residual: {layers: [" + layer.layers.map { "{" + layerEntry($0) + "}" }.joined(separator: ", ") + "]}"
        }
        let options = layer.options.sorted { $0.key < $1.key }.map { name, value in
            "\(name): " + (booleanLayerOptions.contains(name) ? "\(value != 0)" : yamlNumber(value))
        }
        return "\(layer.kind): {" + options.joined(separator: ", ") + "}"
    }

    /// The schedule section's lines: every parameter of the schedule with its value (a
    /// comment where the default depends on the run's length).
    static func scheduleLines(_ spec: ScheduleSpec, optimizer: OptimizerSpec) -> [String] {
        var lines = ["  name: \(spec.name)", "  interval: \(spec.interval.rawValue)"]
        let defaults = Dictionary(uniqueKeysWithValues: spec.entry.parameters.map { ($0.name, $0.defaultValue) })
        for (name, value) in spec.parameterValues {
            if let value {
                lines.append("  \(name): \(value)")
            } else if name == spec.kind.rateParameter {
                lines.append("  \(name): \(yamlNumber(optimizer.learningRate))")
            } else {
                let unit = spec.interval == .batch ? "optimizer steps" : "epochs"
                lines.append("  # \(name): \(defaults[name] ?? "?"), where steps is the run's length in \(unit)")
            }
        }
        return lines
    }

    /// A number that YAML parsers read back as the same `Double` (always with a decimal point).
    static func yamlNumber(_ value: Double) -> String { ScheduleSpec.text(value) }

    /// A string, quoted when YAML would read it as something else.
    static func yamlString(_ value: String) -> String {
        let plain = value.range(of: "^[A-Za-z_/][A-Za-z0-9_./-]*$", options: .regularExpression) != nil
        let special = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(value.lowercased())
        if plain && !special { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }
}
