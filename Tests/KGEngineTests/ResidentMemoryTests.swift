import XCTest
@testable import KGEngine

/// Sizes as `--max-memory` takes them, and as its errors say them.
final class ResidentMemoryTests: XCTestCase {
    func testSizesWithAndWithoutUnits() {
        XCTAssertEqual(ResidentMemory.parse("512M"), 512 << 20)
        XCTAssertEqual(ResidentMemory.parse("2g"), 2 << 30)
        XCTAssertEqual(ResidentMemory.parse("1.5GiB"), 3 << 29)
        XCTAssertEqual(ResidentMemory.parse("100000"), 100_000)
        XCTAssertEqual(ResidentMemory.parse("64KB"), 64 << 10)
        for bad in ["", "lots", "-1G", "0", "G", "1.5", "9999999999999G"] { XCTAssertNil(ResidentMemory.parse(bad), bad) }
        XCTAssertEqual(ResidentMemory.describe(4 << 30), "4 GiB")
        XCTAssertEqual(ResidentMemory.describe(3 << 29), "1.5 GiB")
        XCTAssertEqual(ResidentMemory.describe(150 << 20), "150 MiB")
    }
}
