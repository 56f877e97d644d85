import Converge
import Foundation
import ConvergeCore

/// Synthetic click data for the StreamRec click-prediction project (Chapter 7, §7.9): 128
/// features per impression and a binary "clicked" label.
///
/// ## Generative model
///
/// Each impression (a user shown an item in some context) has hidden causes:
/// - a user taste vector `u` ∈ ℝ⁶ and an item profile vector `v` ∈ ℝ⁶ (standard normal),
/// - an item popularity `q` ~ N(0, 1),
/// - the hour of day `h` ~ U[0, 24), the device (phone / desktop / TV with probabilities
///   0.55 / 0.35 / 0.10) and the days since the user's last visit `r` ~ Exp(1).
///
/// The true click logit combines them nonlinearly:
///
///     f = uᵀ M v                                  user–item affinity (bilinear interaction)
///       + 0.5·q                                  popularity
///       + 1.5·wᵀ tanh(T [u; v; q])               a fixed random 16-unit tanh "teacher"
///       + 0.8·sin(2πh/24 + φ_device)             time of day, phase depends on the device
///       − 0.8·[r > 1.5]                          stale users click less (a threshold)
///     P(click) = σ(0.46·f − 1.2)
///
/// and the label is a Bernoulli draw from that probability. This sampling noise is what limits
/// any model: the AUC of the true probabilities themselves — the best achievable — is about
/// 0.80 (see ``oracleAUC(samples:seed:)``), with ≈ 28% positives. Logistic regression on the
/// features reaches only ≈ 0.59, since most of the signal is in interactions; the Chapter 7
/// recipe MLP reaches ≈ 0.77 with 20,000 training examples.
///
/// The model never sees the causes, only 128 features derived from them (in this order):
/// - 0..<48 user profile: random unit-norm mixtures of `u` plus N(0, 0.35²) noise; every fourth
///   one passed through softplus (count-like, skewed);
/// - 48..<96 item profile: mixtures of `[v; q]` plus noise;
/// - 96..<104 context: sin and cos of the hour, device one-hot (3), log r, r, h/24;
/// - 104..<112 the same context features again with N(0, 0.1²) noise (correlated duplicates);
/// - 112..<128 pure noise, unrelated to the label.
///
/// Each feature is finally multiplied by a fixed scale drawn log-uniformly from [0.05, 50] and
/// shifted by a fixed N(0, 2²) offset, so raw features have very different scales: standardize
/// them (``DataSplits/standardized()``) or use batch normalization.
///
/// The "world" (M, the teacher's weights, the mixtures, phases, scales and offsets) is fixed by
/// ``worldSeed``; the `seed` arguments only choose which impressions are drawn. The same seed
/// gives the same data on every run (on one platform: the generator uses the C library's
/// `exp`, `log`, `sin` and `cos`).
public enum StreamRecData {
    /// Features per example.
    public static let featureCount = 128
    /// The seed of the fixed ground truth shared by every sample.
    public static let worldSeed: UInt64 = 0x5354_5245_414D   // "STREAM"

    /// Draws `samples` impressions: features [samples, 128] and click labels [samples] (0 or 1).
    public static func generate(samples: Int, seed: UInt64) -> LabeledExamples {
        generateWithClickProbabilities(samples: samples, seed: seed).examples
    }

    /// Draws `samples` impressions and also returns each one's true click probability (which a
    /// model can only estimate).
    public static func generateWithClickProbabilities(samples: Int, seed: UInt64)
        -> (examples: LabeledExamples, clickProbabilities: [Double]) {
        precondition(samples >= 0, "StreamRecData.generate: samples must be ≥ 0, got \(samples)")
        let world = StreamRecWorld.shared
        var sampler = DistributionSampler(seed: seed)
        let features = Tensor(uninitializedShape: [samples, featureCount])
        let labels = Tensor(uninitializedShape: [samples])
        var probabilities = [Double](repeating: 0, count: samples)
        var row = [Double](repeating: 0, count: featureCount)
        features.withUnsafeMutableBufferPointer { x in
            labels.withUnsafeMutableBufferPointer { y in
                for i in 0..<samples {
                    let p = world.drawImpression(&sampler, features: &row)
                    probabilities[i] = p
                    y[i] = sampler.bernoulli(p)
                    for j in 0..<featureCount { x[i * featureCount + j] = Float(row[j]) }
                }
            }
        }
        return (LabeledExamples(features: features, labels: labels), probabilities)
    }

    /// Independent training, validation and test sets (raw features; call
    /// ``DataSplits/standardized()`` to standardize them with the training statistics).
    ///
    /// Each set has its own seed derived from `seed`, so changing one set's size leaves the
    /// others unchanged. With the default 20,000 training examples, 100 epochs are 2 million
    /// example-steps: about a minute for the Chapter 7 MLP at PyTorch's CPU speed on two cores
    /// (`scripts/bench/streamrec_torch.py` measures it).
    public static func splits(train: Int = 20_000, validation: Int = 5_000, test: Int = 5_000,
                              seed: UInt64 = 0) -> DataSplits {
        let seeds = RandomGenerator(seed: seed)
        let (trainSeed, validationSeed, testSeed) = (seeds.next(), seeds.next(), seeds.next())
        return DataSplits(train: generate(samples: train, seed: trainSeed),
                          validation: generate(samples: validation, seed: validationSeed),
                          test: generate(samples: test, seed: testSeed))
    }

    /// The AUC of the true click probabilities against the sampled labels of `samples` fresh
    /// impressions: the best AUC any model can expect on this data (≈ 0.80).
    public static func oracleAUC(samples: Int = 200_000, seed: UInt64 = 0x0AC1E) -> Double {
        let (examples, probabilities) = generateWithClickProbabilities(samples: samples, seed: seed)
        return rocAUC(scores: probabilities.map { Float($0) }, labels: examples.labels.scalars) ?? 0.5
    }
}

/// The fixed ground truth of ``StreamRecData``: interaction matrix, teacher network, feature
/// mixtures, device phases, scales and offsets, all drawn from ``StreamRecData/worldSeed``.
struct StreamRecWorld {
    static let latentSize = 6
    static let teacherWidth = 16
    static let profileFeatures = 48
    static let deviceProbabilities = [0.55, 0.35, 0.10]
    static let staleAfterDays = 1.5
    static let logitScale = 0.46
    static let logitBias = -1.2
    static let profileNoise = 0.35
    static let contextCopyNoise = 0.1

    /// The shared instance (built once).
    static let shared = StreamRecWorld(seed: StreamRecData.worldSeed)

    /// Bilinear user–item affinity matrix [6 × 6], row-major.
    let affinity: [Double]
    /// Teacher hidden weights [16 × 13] and output weights [16].
    let teacherHidden: [Double]
    let teacherOutput: [Double]
    /// Time-of-day phase per device.
    let devicePhase: [Double]
    /// Unit-norm mixtures: user [48 × 6], item [48 × 7].
    let userMixture: [Double]
    let itemMixture: [Double]
    /// Per-feature scale and offset.
    let scale: [Double]
    let offset: [Double]

    init(seed: UInt64) {
        var s = DistributionSampler(seed: seed)
        let k = Self.latentSize
        affinity = (0..<(k * k)).map { _ in s.normal() / Double(k).squareRoot() }
        let teacherInputs = 2 * k + 1
        teacherHidden = (0..<(Self.teacherWidth * teacherInputs)).map { _ in s.normal() / Double(teacherInputs).squareRoot() }
        teacherOutput = (0..<Self.teacherWidth).map { _ in s.normal() / Double(Self.teacherWidth).squareRoot() }
        devicePhase = (0..<3).map { _ in s.uniform(0, 2 * Double.pi) }
        func unitRows(_ rows: Int, _ columns: Int) -> [Double] {
            var m = (0..<(rows * columns)).map { _ in s.normal() }
            for r in 0..<rows {
                let norm = (0..<columns).reduce(0.0) { $0 + m[r * columns + $1] * m[r * columns + $1] }.squareRoot()
                for c in 0..<columns { m[r * columns + c] /= norm }
            }
            return m
        }
        userMixture = unitRows(Self.profileFeatures, k)
        itemMixture = unitRows(Self.profileFeatures, k + 1)
        scale = (0..<StreamRecData.featureCount).map { _ in Foundation.exp(s.uniform(Foundation.log(0.05), Foundation.log(50))) }
        offset = (0..<StreamRecData.featureCount).map { _ in 2 * s.normal() }
    }

    /// Draws one impression's hidden causes, writes its 128 features into `features`, and
    /// returns its true click probability.
    func drawImpression(_ s: inout DistributionSampler, features x: inout [Double]) -> Double {
        let k = Self.latentSize
        let u = (0..<k).map { _ in s.normal() }
        let v = (0..<k).map { _ in s.normal() }
        let popularity = s.normal()
        let hour = s.uniform(0, 24)
        let device = s.categorical(Self.deviceProbabilities)
        let recency = s.exponential(mean: 1)

        // True click logit.
        var bilinear = 0.0
        for a in 0..<k {
            for b in 0..<k { bilinear += u[a] * affinity[a * k + b] * v[b] }
        }
        let teacherInput = u + v + [popularity]
        var teacher = 0.0
        for h in 0..<Self.teacherWidth {
            var z = 0.0
            for j in 0..<teacherInput.count { z += teacherHidden[h * teacherInput.count + j] * teacherInput[j] }
            teacher += teacherOutput[h] * Foundation.tanh(z)
        }
        let angle = 2 * Double.pi * hour / 24
        let timeOfDay = 0.8 * Foundation.sin(angle + devicePhase[device])
        let stale = recency > Self.staleAfterDays ? -0.8 : 0
        let f = bilinear + 0.5 * popularity + 1.5 * teacher + timeOfDay + stale
        let probability = DistributionSampler.logistic(Self.logitScale * f + Self.logitBias)

        // Observed features.
        let profiles = Self.profileFeatures
        for j in 0..<profiles {
            var value = 0.0
            for a in 0..<k { value += userMixture[j * k + a] * u[a] }
            value += Self.profileNoise * s.normal()
            x[j] = j % 4 == 0 ? softplus(value) : value
        }
        let item = v + [popularity]
        for j in 0..<profiles {
            var value = 0.0
            for a in 0..<(k + 1) { value += itemMixture[j * (k + 1) + a] * item[a] }
            x[profiles + j] = value + Self.profileNoise * s.normal()
        }
        let context: [Double] = [Foundation.sin(angle), Foundation.cos(angle),
                                 device == 0 ? 1 : 0, device == 1 ? 1 : 0, device == 2 ? 1 : 0,
                                 Foundation.log(Swift.max(recency, 1e-6)), recency, hour / 24]
        let contextStart = 2 * profiles
        for j in 0..<context.count {
            x[contextStart + j] = context[j]
            x[contextStart + context.count + j] = context[j] + Self.contextCopyNoise * s.normal()
        }
        for j in (contextStart + 2 * context.count)..<StreamRecData.featureCount { x[j] = s.normal() }

        for j in 0..<StreamRecData.featureCount { x[j] = x[j] * scale[j] + offset[j] }
        return probability
    }

    /// log(1 + eˣ), computed without overflow.
    private func softplus(_ x: Double) -> Double {
        x > 30 ? x : Foundation.log1p(Foundation.exp(x))
    }
}
