// swift-tools-version:5.9
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
    ],
    targets: [
        // Kernels, tensors and autograd. No layers, no training.
        .target(
            name: "ConvergeCore",
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))],
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]
        ),
        // Everything for training: NN, optimizers, schedules, training loop, doctor, IO.
        .target(
            name: "Converge",
            dependencies: ["ConvergeCore", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "converge",
            dependencies: ["Converge", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Golden-file loading and tolerance checks shared by the test targets.
        .target(name: "ConvergeTestSupport", dependencies: ["ConvergeCore"]),
        .testTarget(name: "ConvergeCoreTests", dependencies: ["ConvergeCore", "ConvergeTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ConvergeTests", dependencies: ["Converge", "ConvergeTestSupport"], resources: [.copy("Fixtures")]),
    ]
)
