// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Converge",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Converge", targets: ["Converge"]),
        .library(name: "ConvergeCore", targets: ["ConvergeCore"]),
        .executable(name: "converge", targets: ["converge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // `swift package generate-documentation --target Converge` (the DocC catalog in Sources/Converge/Converge.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Vector kernels in C: a portable version of each, and an AVX-512 version chosen at run
        // time (per-function target attributes, so no compiler flags). Only ConvergeCore uses it.
        .target(name: "CConvergeKernels"),
        // Kernels, tensors and autograd. No layers, no training.
        .target(
            name: "ConvergeCore",
            dependencies: ["CConvergeKernels"],
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // Everything for training: NN, optimizers, schedules, training loop, doctor, IO.
        .target(
            name: "Converge",
            dependencies: ["ConvergeCore", .product(name: "Yams", package: "Yams")]
        ),
        // The worked examples, their data and the benchmarks. Only the CLI uses them, so a
        // package that depends on the `Converge` library compiles none of this.
        .target(
            name: "ConvergeExamples",
            dependencies: ["Converge"],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "converge",
            dependencies: ["Converge", "ConvergeExamples",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Golden-file loading and tolerance checks shared by the test targets.
        .target(name: "ConvergeTestSupport", dependencies: ["ConvergeCore"]),
        .testTarget(name: "ConvergeCoreTests", dependencies: ["ConvergeCore", "ConvergeTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ConvergeTests", dependencies: ["Converge", "ConvergeTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ConvergeExamplesTests", dependencies: ["ConvergeExamples", "ConvergeTestSupport"]),
        // The command line, in process (`@testable import converge`), and checks on the package itself.
        .testTarget(name: "ConvergeCLITests", dependencies: ["converge", "Converge", "ConvergeTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
