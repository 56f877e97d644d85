import XCTest
import ConvergeTestSupport
@testable import Converge

final class StandardizerTests: XCTestCase {
    // Reference values from scikit-learn 1.x StandardScaler on the same float32 data.
    let x = Tensor(shape: [4, 3], scalars: [1, 10, 5, 2, 10, 7, 3, 10, -1, 6, 10, 0])

    func testFitMatchesStandardScaler() {
        let s = Standardizer(fitting: x)
        XCTAssertEqual(s.mean, [3, 10, 2.75])
        XCTAssertEqual(s.scale[0], 1.87082869, accuracy: 1e-6)  // population std (divisor N)
        XCTAssertEqual(s.scale[1], 1)                          // constant feature
        XCTAssertEqual(s.scale[2], 3.34477204, accuracy: 1e-6)
        let expected: [Float] = [-1.0690449, 0, 0.67269158, -0.53452247, 0, 1.27063966,
                                 0, 0, -1.12115264, 1.60356736, 0, -0.8221786]
        let y = s.transform(x)
        XCTAssertEqual(y.shape, [4, 3])
        for (a, e) in zip(y.scalars, expected) { XCTAssertEqual(a, e, accuracy: 1e-6) }
    }

    func testInverseTransformRoundTrips() {
        let s = Standardizer(fitting: x)
        let back = s.inverseTransform(s.transform(x))
        for (a, e) in zip(back.scalars, x.scalars) { XCTAssertEqual(a, e, accuracy: 1e-5) }
    }

    func testNearConstantLargeFeatureGetsScaleOne() {
        // float32 cannot distinguish these from rounding noise around 1e6.
        let t = Tensor(shape: [3, 1], scalars: [1_000_000, 1_000_000, 1_000_000.0625])
        XCTAssertEqual(Standardizer(fitting: t).scale, [1])
        XCTAssertEqual(Standardizer(fitting: Tensor(shape: [2, 1], scalars: [1e-6, 3e-6])).scale[0], 1e-6, accuracy: 1e-12)
    }

    func testTransformDatasetKeepsLabels() {
        let data = TensorDataset(features: x, labels: Tensor([0, 1, 0, 1]))
        let s = Standardizer(fitting: data)
        let t = s.transform(data)
        XCTAssertEqual(t.labels.scalars, [0, 1, 0, 1])
        XCTAssertEqual(t.features.scalars[0], -1.0690449, accuracy: 1e-6)
    }

    func testSaveAndLoadRoundTrip() throws {
        let dir = try makeIOTestDirectory()
        let url = dir.appendingPathComponent("scaler.json")
        let s = Standardizer(fitting: x, featureNames: ["a", "b", "c"])
        try s.save(to: url)
        let loaded = try Standardizer.load(from: url)
        XCTAssertEqual(loaded, s)
        XCTAssertEqual(loaded.featureNames, ["a", "b", "c"])
    }

    func testLoadRejectsBadFiles() throws {
        let dir = try makeIOTestDirectory()
        let url = dir.appendingPathComponent("bad.json")
        try Data(#"{"format":"converge.standardizer.v1","mean":[1,2],"scale":[1]}"#.utf8).write(to: url)
        XCTAssertThrowsError(try Standardizer.load(from: url)) { error in
            let e = error as! DataFileError
            XCTAssertEqual(e.file, url.path)
            XCTAssertTrue(e.description.contains("2 means but 1 scales"), e.description)
        }
        try Data(#"{"format":"converge.standardizer.v1","mean":[1],"scale":[0]}"#.utf8).write(to: url)
        XCTAssertThrowsError(try Standardizer.load(from: url)) { error in
            XCTAssertTrue("\(error)".contains("scale of feature 0"), "\(error)")
        }
        try Data("[1,2]".utf8).write(to: url)
        XCTAssertThrowsError(try Standardizer.load(from: url)) { error in
            XCTAssertTrue("\(error)".hasPrefix(url.path + ": not a saved standardizer"), "\(error)")
        }
        XCTAssertThrowsError(try Standardizer.load(from: dir.appendingPathComponent("missing.json"))) { error in
            guard case .unreadable = (error as! DataFileError).reason else { return XCTFail("\(error)") }
        }
    }
}
