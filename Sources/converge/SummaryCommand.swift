import ArgumentParser
import Converge
import Foundation

/// `converge summary RECIPE [--set key=value …]`.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print the model a recipe builds: each layer's output shape and parameters.",
        discussion: "Reads the training data to infer the input shape; trains nothing and writes nothing.")

    @Argument(help: "The recipe file.")
    var recipe: String

    @OptionGroup var recipeOptions: RecipeOptions

    func run() throws {
        try reportingErrors("summary") {
            let recipe = try recipeOptions.load(self.recipe)
            if recipeOptions.printRecipe {
                print(recipe.resolvedYAML(), terminator: "")
                return
            }
            let session = try RecipeSession(recipe)
            let model = try session.makeModel()
            print(ModelSummary(model, inputShape: session.inputShape).table, terminator: "")
        }
    }
}
