// swift-tools-version:6.0
// Fuzz targets for kglog (libFuzzer). Build and run with Fuzz/run.sh; see the README.
import PackageDescription

let fuzzing: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]
let linking: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "kglog-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "FuzzParser", dependencies: [.product(name: "KGSyntax", package: "main")],
                          swiftSettings: fuzzing, linkerSettings: linking),
        .executableTarget(name: "FuzzReaders", dependencies: [.product(name: "KGFormats", package: "main")],
                          swiftSettings: fuzzing, linkerSettings: linking),
    ]
)
