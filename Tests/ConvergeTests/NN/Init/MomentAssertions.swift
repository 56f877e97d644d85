import XCTest
import Foundation

/// Asserts that the sample mean and variance of `values` match a distribution's `mean` and
/// `variance` within `sigmas` standard errors, where the standard errors follow from the sample
/// size: √(variance/n) for the mean and √((μ₄ − variance²)/n) for the variance (μ₄ the fourth
/// central moment: 3σ⁴ for a normal, b⁴/5 for U(−b, b)).
func assertMoments(_ values: [Float], mean: Double, variance: Double, fourthCentralMoment: Double,
                   sigmas: Double = 6, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    let n = Double(values.count)
    let sampleMean = values.reduce(0.0) { $0 + Double($1) } / n
    let sampleVariance = values.reduce(0.0) { $0 + (Double($1) - sampleMean) * (Double($1) - sampleMean) } / (n - 1)
    let meanError = (variance / n).squareRoot()
    let varianceError = ((fourthCentralMoment - variance * variance) / n).squareRoot()
    XCTAssertLessThan(abs(sampleMean - mean), sigmas * meanError + 1e-12,
                      "\(label): sample mean \(sampleMean), expected \(mean) ± \(sigmas)·\(meanError)", file: file, line: line)
    XCTAssertLessThan(abs(sampleVariance - variance), sigmas * varianceError,
                      "\(label): sample variance \(sampleVariance), expected \(variance) ± \(sigmas)·\(varianceError)", file: file, line: line)
}

/// Moments of N(mean, std²).
func assertNormalMoments(_ values: [Float], mean: Double = 0, std: Double, _ label: String,
                         file: StaticString = #filePath, line: UInt = #line) {
    let v = std * std
    assertMoments(values, mean: mean, variance: v, fourthCentralMoment: 3 * v * v, label, file: file, line: line)
}

/// Moments of U(low, high).
func assertUniformMoments(_ values: [Float], low: Double, high: Double, _ label: String,
                          file: StaticString = #filePath, line: UInt = #line) {
    let half = (high - low) / 2
    assertMoments(values, mean: (low + high) / 2, variance: half * half / 3, fourthCentralMoment: pow(half, 4) / 5,
                  label, file: file, line: line)
    XCTAssertGreaterThanOrEqual(Double(values.min()!), low, "\(label): below the lower bound", file: file, line: line)
    XCTAssertLessThan(Double(values.max()!), high, "\(label): above the upper bound", file: file, line: line)
}
