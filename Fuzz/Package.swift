// swift-tools-version:6.0
// Fuzz targets for kglog (libFuzzer). Build and run with Fuzz/run.sh, which compiles every
// module (kglog's too, so the fuzzer sees their coverage) with -sanitize=fuzzer,address.
import PackageDescription

let package = Package(
    name: "kglog-fuzz",
    dependencies: [.package(name: "kglog", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzParser", dependencies: ["FuzzDriver", .product(name: "KGSyntax", package: "kglog")]),
        .executableTarget(name: "FuzzReaders", dependencies: ["FuzzDriver", .product(name: "KGFormats", package: "kglog")]),
        .executableTarget(name: "FuzzTurtle", dependencies: ["FuzzDriver", .product(name: "KGFormats", package: "kglog"), .product(name: "KGSyntax", package: "kglog")]),
    ]
)
