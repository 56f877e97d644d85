import ConvergeTestSupport
import Foundation
import XCTest
@testable import Converge

final class InitCheckTests: XCTestCase {
    /// The seed's three 20 × 512 ReLU runs (64 samples), shared by the tests (slow in debug builds).
    static let deepReLURuns: [InitCheck.Scheme: InitCheck.Result] = {
        var runs: [InitCheck.Scheme: InitCheck.Result] = [:]
        for (scheme, seed) in [(InitCheck.Scheme.he, UInt64(1)), (.normalSmall, 2), (.normalLarge, 3)] {
            runs[scheme] = InitCheck.run(scheme: scheme, activation: .relu, depth: 20, width: 512, samples: 64, seed: seed)
        }
        return runs
    }()

    /// Compares the Swift experiment with PyTorch's distribution over 20 seeds, layer by layer:
    /// log10(variance) must lie within 5 standard deviations (plus 0.05) of PyTorch's mean, and
    /// layers that overflow in every PyTorch seed must overflow here too.
    func testStatisticsAgreeWithPyTorchWithinSamplingNoise() throws {
        let golden = try Golden("init_check", bundle: .module)
        let configs: [(String, InitCheck.Scheme, Activation, swiftSeeds: [UInt64])] = [
            ("he_relu_20x512", .he, .relu, [1]),
            ("small_relu_20x512", .normalSmall, .relu, [2]),
            ("large_relu_20x512", .normalLarge, .relu, [3]),
            ("xavier_tanh_10x128", .xavier, .tanh, [1, 2, 3, 4]),
            ("default_relu_10x128", .default, .relu, [1, 2, 3, 4]),
            ("orthogonal_linear_10x64", .orthogonal, .identity, [1, 2]),
            ("he_gelu_10x128", .he, .gelu(.none), [1, 2, 3, 4]),
            ("xavier_sigmoid_10x128", .xavier, .sigmoid, [1, 2, 3, 4]),
            ("large_tanh_10x128", .normalLarge, .tanh, [1, 2]),
        ]
        for (name, scheme, activation, seeds) in configs {
            let config = golden.floats("configs/\(name)/config").map { Int($0) }
            let logMean = golden.floats("configs/\(name)/log10_variance_mean").map(Double.init)
            let logStd = golden.floats("configs/\(name)/log10_variance_std").map(Double.init)
            let infinite = golden.floats("configs/\(name)/infinite_fraction").map(Double.init)
            let scaledMean = golden.floats("configs/\(name)/scaled_mean_mean").map(Double.init)
            let scaledStd = golden.floats("configs/\(name)/scaled_mean_std").map(Double.init)
            var finalLogs: [Double] = []
            for seed in seeds {
                let result = config[1] == 512 && activation == .relu ? Self.deepReLURuns[scheme]!
                    : InitCheck.run(scheme: scheme, activation: activation, depth: config[0], width: config[1],
                                    samples: config[2], seed: seed)
                XCTAssertEqual([result.depth, result.width, result.samples], config)
                XCTAssertEqual(result.layers.count, config[0] + 1)
                for layer in result.layers {
                    let i = layer.layer
                    if infinite[i] == 1 {
                        XCTAssertTrue(layer.variance.isInfinite, "\(name) layer \(i): PyTorch overflows in every seed, got \(layer.variance)")
                    } else if infinite[i] == 0 {
                        XCTAssertTrue(layer.variance.isFinite && layer.variance > 0, "\(name) layer \(i): \(layer.variance)")
                        let x = Foundation.log10(layer.variance)
                        XCTAssertLessThanOrEqual(Swift.abs(x - logMean[i]), 5 * logStd[i] + 0.05,
                                                 "\(name) layer \(i) seed \(seed): log10 variance \(x) vs PyTorch \(logMean[i]) ± \(logStd[i])")
                        let scaled = layer.mean / layer.variance.squareRoot()
                        XCTAssertLessThanOrEqual(Swift.abs(scaled - scaledMean[i]), 5 * scaledStd[i] + 0.02,
                                                 "\(name) layer \(i) seed \(seed): mean/std \(scaled) vs PyTorch \(scaledMean[i]) ± \(scaledStd[i])")
                        if i == config[0] { finalLogs.append(x) }
                    }
                }
            }
            // The average over several Swift seeds pins the per-layer gain more tightly than one run.
            if finalLogs.count >= 2, infinite[config[0]] == 0 {
                let average = finalLogs.reduce(0, +) / Double(finalLogs.count)
                let sigma = logStd[config[0]] * (1 / Double(finalLogs.count) + 1.0 / 20).squareRoot()
                XCTAssertLessThanOrEqual(Swift.abs(average - logMean[config[0]]), 4 * sigma + 0.02,
                                         "\(name): mean final log10 variance \(average) vs PyTorch \(logMean[config[0]])")
            }
        }
    }

    /// The seed's table: 20 layers of width 512 with ReLU.
    func testSeedTableVerdictsForDeepReLUStack() throws {
        let small = Self.deepReLURuns[.normalSmall]!
        XCTAssertLessThan(small.finalVariance, 1e-20)
        XCTAssertEqual(small.verdict, .vanishing)
        let large = Self.deepReLURuns[.normalLarge]!
        XCTAssertTrue(large.finalVariance.isInfinite || large.finalVariance > 1e30, "\(large.finalVariance)")
        XCTAssertEqual(large.verdict, .exploding)
        let he = Self.deepReLURuns[.he]!
        XCTAssertGreaterThan(he.finalVariance, 0.05)
        XCTAssertLessThan(he.finalVariance, 20)
        XCTAssertEqual(he.verdict, .stable)
        XCTAssertNil(he.firstUnstableLayer)
        XCTAssertEqual(small.firstUnstableLayer, 2, "0.0256× per layer: below 1e-3 after two layers")
    }

    func testCSVAndSummaryFormat() {
        let result = InitCheck.run(scheme: .he, activation: .relu, depth: 3, width: 16, samples: 32)
        let lines = result.csv().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "layer,mean,variance")
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(lines[1].hasPrefix("0,"))
        XCTAssertTrue(lines[4].hasPrefix("3,"))
        let fields = lines[4].split(separator: ",")
        XCTAssertEqual(Double(fields[2])!, result.finalVariance, accuracy: 1e-6 * result.finalVariance)
        XCTAssertTrue(result.summary.hasPrefix("layer 3 variance: "), result.summary)
        XCTAssertTrue(result.summary.hasSuffix("(stable)"), result.summary)
        // The input is standard normal: variance near 1.
        XCTAssertEqual(result.layers[0].variance, 1, accuracy: 0.15)
    }

    func testSameSeedSameNumbersAndLinearDefaultVanishes() {
        let a = InitCheck.run(scheme: .default, activation: .relu, depth: 6, width: 32, samples: 64, seed: 7)
        let b = InitCheck.run(scheme: .default, activation: .relu, depth: 6, width: 32, samples: 64, seed: 7)
        XCTAssertEqual(a, b)
        // PyTorch's Linear default multiplies E[x²] by about 1/6 per ReLU layer.
        let deep = InitCheck.run(scheme: .default, activation: .relu, depth: 10, width: 64, samples: 128)
        XCTAssertEqual(deep.verdict, .vanishing)
        let linearHe = InitCheck.run(scheme: .he, activation: .identity, depth: 12, width: 64, samples: 128)
        XCTAssertEqual(linearHe.verdict, .exploding, "He without ReLU doubles the variance per layer")
    }

    func testSeedTableRendersEveryPair() {
        let results = InitCheck.seedTable(schemes: [.normalSmall, .he], activations: [.relu, .tanh], depth: 4, width: 16, samples: 32)
        XCTAssertEqual(results.map(\.scheme), [.normalSmall, .normalSmall, .he, .he])
        XCTAssertEqual(results.map(\.activation), [.relu, .tanh, .relu, .tanh])
        let table = InitCheck.renderTable(results)
        let lines = table.split(separator: "\n")
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(lines[0].hasPrefix("init"))
        XCTAssertTrue(lines[0].contains("layer 4 variance"))
        XCTAssertTrue(lines[1].hasPrefix("normal-0.01"))
        XCTAssertTrue(lines[1].hasSuffix("vanishing"))
        XCTAssertTrue(lines[3].hasPrefix("he"))
        XCTAssertTrue(lines[3].hasSuffix("stable"))
    }
}

final class InitCheckSaturationTests: XCTestCase {
    /// tanh with N(0, 1) weights keeps a variance near 1 only because nearly every output is ±1:
    /// the verdict comes from the measured outputs, not the variance alone.
    func testTanhWithUnitNormalWeightsIsSaturatedNotStable() {
        let result = InitCheck.run(scheme: .normalLarge, activation: .tanh, depth: 10, width: 128, samples: 64)
        XCTAssertGreaterThan(result.finalVariance, 0.5, "the variance alone looks healthy")
        XCTAssertGreaterThan(result.layers.last!.saturatedFraction!, 0.5)
        XCTAssertEqual(result.verdict, .saturated)
        XCTAssertTrue(result.summary.contains("saturated"), result.summary)
        let xavier = InitCheck.run(scheme: .xavier, activation: .tanh, depth: 10, width: 128, samples: 64)
        XCTAssertLessThan(xavier.layers.last!.saturatedFraction!, 0.1)
        XCTAssertNotEqual(xavier.verdict, .saturated)
        XCTAssertNil(InitCheck.run(scheme: .he, activation: .relu, depth: 2, width: 8, samples: 8).layers.last!.saturatedFraction)
    }
}
