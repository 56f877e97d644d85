import ArgumentParser
import Converge
import Foundation

/// `--set key.path=value` (repeatable) and `--print-recipe`, shared by the commands that read a recipe.
struct RecipeOptions: ParsableArguments {
    @Option(name: .customLong("set"),
            help: ArgumentHelp("Override a recipe field, e.g. --set optimizer.lr=3e-3 (repeatable; the value is YAML).",
                               valueName: "key.path=value"))
    var overrides: [String] = []

    @Flag(help: "Print the resolved recipe (overrides applied, every default filled in) and exit.")
    var printRecipe = false

    /// Reads the recipe file with the overrides applied.
    func load(_ path: String) throws -> Recipe {
        let overrides = try self.overrides.map(RecipeOverride.init)
        return try Recipe.load(from: URL(fileURLWithPath: path), overrides: overrides)
    }
}
