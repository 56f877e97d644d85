import Converge
import Foundation

/// `converge demo schedules`: the seed's schedule comparison (Chapter 7, §7.5.6) — step decay,
/// cosine annealing and one-cycle over the same number of steps, drawn on one SVG.
///
/// The settings are the seed's: 1,000 steps from a base rate of 0.1;
/// - **step decay**: ×0.1 every 300 steps (`StepLR(step_size=300, gamma=0.1)`);
/// - **cosine annealing**: from 0.1 to 0 over all steps (`CosineAnnealingLR(T_max=1000)`);
/// - **one-cycle**: peak 0.1, 30% warm-up from 0.1/25, cosine annealing to 0.1/25/10⁴
///   (`OneCycleLR(max_lr=0.1, pct_start=0.3, div_factor=25, final_div_factor=1e4)`), whose
///   momentum moves opposite to the rate between 0.95 and 0.85.
///
/// The figure has three panels: the rates on a linear axis, the same on a logarithmic axis
/// (where step decay's plateaus and one-cycle's final annihilation show), and the one-cycle
/// momentum.
public enum SchedulesDemo {
    /// One schedule's name and its rate at every step.
    public struct Curve {
        /// The name shown in the legend.
        public let name: String
        /// The rate at steps 0, 1, …, totalSteps − 1.
        public let rates: [Double]
    }

    /// The three curves, and the one-cycle momentum.
    public struct Result {
        /// Step decay, cosine annealing and one-cycle, in that order.
        public let curves: [Curve]
        /// One-cycle's momentum (β₁) at every step.
        public let oneCycleMomentum: [Double]

        /// The rates at a few telling steps (first, around each decay, middle, end).
        public func table() -> TextTable {
            var table = TextTable(header: ["Step"] + curves.map(\.name))
            let last = (curves.first?.rates.count ?? 1) - 1
            let steps = [0, 150, 299, 300, 450, 599, 600, 750, 899, 900, last].filter { $0 <= last }
            for step in Array(Set(steps)).sorted() {
                table.append(["\(step)"] + curves.map { DemoFormat.scientific($0.rates[step]) })
            }
            return table
        }

        /// `step,<name>,…,one_cycle_momentum` rows.
        public func csv() -> String {
            var lines = ["step," + curves.map { $0.name.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_") }.joined(separator: ",") + ",one_cycle_momentum"]
            for step in oneCycleMomentum.indices {
                lines.append("\(step)," + curves.map { "\($0.rates[step])" }.joined(separator: ",") + ",\(oneCycleMomentum[step])")
            }
            return lines.joined(separator: "\n") + "\n"
        }

        /// The three-panel figure.
        public func chart() -> LineChart {
            let series = curves.map { LineChart.Series($0.name, values: $0.rates) }
            return LineChart(title: "Learning-rate schedules (\(oneCycleMomentum.count) steps, base rate 0.1)", panels: [
                LineChart.Panel(title: "Learning rate", xLabel: "step", yLabel: "learning rate", series: series),
                LineChart.Panel(title: "Learning rate (log scale)", xLabel: "step", yLabel: "learning rate", series: series,
                                logScaleY: true),
                LineChart.Panel(title: "One-cycle momentum", xLabel: "step", yLabel: "momentum (beta1)",
                                series: [LineChart.Series("one-cycle momentum", values: oneCycleMomentum,
                                                          color: LineChart.defaultPalette[2])]),
            ])
        }
    }

    /// The seed's three schedules over `totalSteps` steps (default 1,000), with step decay every
    /// 30% of the steps.
    public static func run(totalSteps: Int = 1_000, baseLearningRate: Double = 0.1) throws -> Result {
        guard totalSteps >= 10 else { throw DemoError.invalidOption("schedules: --steps must be at least 10 (got \(totalSteps))") }
        guard baseLearningRate > 0 else { throw DemoError.invalidOption("schedules: --lr must be positive (got \(baseLearningRate))") }
        let step = StepLR(baseLearningRate: baseLearningRate, stepSize: max(1, totalSteps * 3 / 10), gamma: 0.1)
        let cosine = CosineAnnealingLR(baseLearningRate: baseLearningRate, tMax: totalSteps, etaMin: 0)
        let oneCycle = OneCycleLR(maxLearningRate: baseLearningRate, totalSteps: totalSteps, pctStart: 0.3, divFactor: 25,
                                  finalDivFactor: 1e4)
        return Result(curves: [Curve(name: "step decay", rates: step.learningRates(steps: totalSteps)),
                               Curve(name: "cosine", rates: cosine.learningRates(steps: totalSteps)),
                               Curve(name: "one-cycle", rates: oneCycle.learningRates(steps: totalSteps))],
                      oneCycleMomentum: oneCycle.momenta(steps: totalSteps) ?? [])
    }
}
