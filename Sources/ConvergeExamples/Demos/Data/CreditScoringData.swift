import Converge
import Foundation
import ConvergeCore

/// Synthetic loan applications for the Meridian Financial credit-scoring case (Chapter 7,
/// §7.4.3): highly correlated financial features and a binary default label.
///
/// ## Generative model
///
/// Each borrower has a hidden leverage level `L` ~ N(μ, 1) (μ = 0 in the development
/// population). Three hidden financial-health factors share it:
/// `a, b, c = 0.75·L + 0.66·ε` (each standard normal, pairwise correlation ≈ 0.56). They set
/// - the debt-to-income ratio `0.35 + 0.12·a`,
/// - the credit utilization `σ(−0.4 + b)` (a fraction in (0, 1)),
/// - the outstanding balance `exp(3 + 0.6·c)` in thousands of dollars.
///
/// None of these is observed exactly. Each is reported four times, as the application value, a
/// credit-bureau value and 3- and 12-month averages, each with its own small measurement error,
/// so the four near-copies correlate at r ≈ 0.96. The other features are independent of
/// them: age, years employed, recent credit inquiries, annual income, past delinquencies, and
/// three features unrelated to default (application hour, weekday, branch code).
///
/// The probability of default is logistic in the *hidden* factors:
///
///     logit = −2.9 + 1.1·a + 0.9·b + 0.4·c − 0.25·(years employed − 6)/6
///             + 0.35·(inquiries − 1.2) + 0.6·delinquencies − 0.75·(log income − 4)
///
/// giving ≈ 16% defaults; the AUC of the true probabilities (the best achievable) is ≈ 0.88.
/// A model that spreads its weight over each group of near-copies is right; one that puts large
/// opposite weights on two copies fits the training set as well, but breaks when the copies
/// decouple. ``Population/shifted`` simulates that shift: the
/// measurement errors triple (copies correlate at r ≈ 0.7) and leverage rises by 0.5 SD
/// (≈ 25% defaults).
///
/// Same seed, same data (on one platform: the generator uses the C library's `exp` and `log`).
public enum CreditScoringData {
    /// A population of borrowers.
    public enum Population {
        /// The population the model is developed on.
        case development
        /// A later population: higher leverage and noisier (less correlated) near-copies.
        case shifted
    }

    /// The name of each feature column, in order.
    public static let featureNames: [String] = [
        "debt_to_income", "debt_to_income_bureau", "debt_to_income_3m_avg", "debt_to_income_12m_avg",
        "credit_utilization", "credit_utilization_bureau", "credit_utilization_3m_avg", "credit_utilization_12m_avg",
        "outstanding_balance_k", "outstanding_balance_k_bureau", "outstanding_balance_k_3m_avg", "outstanding_balance_k_12m_avg",
        "age", "years_employed", "recent_inquiries", "annual_income_k", "past_delinquencies",
        "application_hour", "application_weekday", "branch_code",
    ]

    /// Features per example.
    public static var featureCount: Int { featureNames.count }

    /// Column indices of the three groups of near-copies (debt-to-income, utilization, balance).
    public static let correlatedGroups: [[Int]] = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]

    /// Column indices of the features that have no effect on default.
    public static let irrelevantFeatures: [Int] = [17, 18, 19]

    /// Draws `samples` borrowers: features [samples, 20] in natural units (see
    /// ``featureNames``) and default labels [samples] (1 = defaulted).
    public static func generate(samples: Int, seed: UInt64, population: Population = .development) -> LabeledExamples {
        generateWithDefaultProbabilities(samples: samples, seed: seed, population: population).examples
    }

    /// Draws `samples` borrowers and also returns each one's true probability of default.
    public static func generateWithDefaultProbabilities(samples: Int, seed: UInt64, population: Population = .development)
        -> (examples: LabeledExamples, defaultProbabilities: [Double]) {
        precondition(samples >= 0, "CreditScoringData.generate: samples must be ≥ 0, got \(samples)")
        let (leverageShift, noiseScale) = population == .development ? (0.0, 1.0) : (0.5, 3.0)
        var s = DistributionSampler(seed: seed)
        let width = featureCount
        let features = Tensor(uninitializedShape: [samples, width])
        let labels = Tensor(uninitializedShape: [samples])
        var probabilities = [Double](repeating: 0, count: samples)
        let loading = 0.75
        let unique = (1 - loading * loading).squareRoot()
        features.withUnsafeMutableBufferPointer { x in
            labels.withUnsafeMutableBufferPointer { y in
                for i in 0..<samples {
                    let leverage = leverageShift + s.normal()
                    let a = loading * leverage + unique * s.normal()
                    let b = loading * leverage + unique * s.normal()
                    let c = loading * leverage + unique * s.normal()
                    var row = [Double]()
                    row.reserveCapacity(width)
                    for _ in 0..<4 { row.append(Swift.max(0, 0.35 + 0.12 * a + noiseScale * 0.024 * s.normal())) }
                    for _ in 0..<4 { row.append(DistributionSampler.logistic(-0.4 + b + noiseScale * 0.2 * s.normal())) }
                    for _ in 0..<4 { row.append(Foundation.exp(3 + 0.6 * c + noiseScale * 0.12 * s.normal())) }
                    let age = Swift.min(85, Swift.max(18, 42 + 12 * s.normal()))
                    let yearsEmployed = Swift.min(40, s.exponential(mean: 6), age - 16)
                    let inquiries = Double(s.poisson(mean: 1.2))
                    let logIncome = 4 + 0.4 * s.normal()
                    let delinquencies = Double(s.poisson(mean: 0.3))
                    row += [age, yearsEmployed, inquiries, Foundation.exp(logIncome), delinquencies,
                            s.uniform(0, 24), Double(Int(s.uniform(0, 7))), Double(Int(s.uniform(0, 20)))]
                    let logit = -2.9 + 1.1 * a + 0.9 * b + 0.4 * c - 0.25 * (yearsEmployed - 6) / 6
                        + 0.35 * (inquiries - 1.2) + 0.6 * delinquencies - 0.75 * (logIncome - 4)
                    let p = DistributionSampler.logistic(logit)
                    probabilities[i] = p
                    y[i] = s.bernoulli(p)
                    for j in 0..<width { x[i * width + j] = Float(row[j]) }
                }
            }
        }
        return (LabeledExamples(features: features, labels: labels), probabilities)
    }

    /// Independent training, validation and test sets from the development population (raw
    /// features; call ``DataSplits/standardized()`` before training). Each set has its own seed
    /// derived from `seed`.
    ///
    /// The default training set is small (2,000) because that is where unregularized weights on
    /// near-copies swing most (an unregularized logistic regression on 1,000 examples puts
    /// weights such as +1.24 and −0.74 on two balance copies and loses ≈ 0.05 AUC on the shifted
    /// population; with an L2 penalty the copies share the weight); pass `train: 10_000` for
    /// the chapter's 10,000 examples.
    public static func splits(train: Int = 2_000, validation: Int = 1_000, test: Int = 2_000,
                              seed: UInt64 = 0) -> DataSplits {
        let seeds = RandomGenerator(seed: seed ^ 0xC4ED17)
        let (trainSeed, validationSeed, testSeed) = (seeds.next(), seeds.next(), seeds.next())
        return DataSplits(train: generate(samples: train, seed: trainSeed),
                          validation: generate(samples: validation, seed: validationSeed),
                          test: generate(samples: test, seed: testSeed))
    }
}
