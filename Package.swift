// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kglog",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "KGLog", targets: ["KGLog"]),
        .library(name: "KGSyntax", targets: ["KGSyntax"]),
        .library(name: "KGFormats", targets: ["KGFormats"]),
        .executable(name: "kglog", targets: ["kglog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // libpq's declarations (libpq-dev) and functions that load libpq when first connecting.
        .target(name: "CLibPQ", exclude: ["README.md"], linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "KGSyntax", exclude: ["README.md"]),
        .target(name: "KGStore", dependencies: ["CSQLite", "KGSyntax"], exclude: ["README.md"]),
        .target(name: "KGEngine", dependencies: ["KGSyntax"], exclude: ["README.md"]),
        .target(name: "KGPostgres", dependencies: ["CLibPQ", "KGSyntax"], exclude: ["README.md"]),
        .target(name: "KGFormats", dependencies: ["KGSyntax"], exclude: ["README.md"]),
        .target(name: "KGLog", dependencies: ["KGSyntax", "KGStore", "KGPostgres", "KGEngine", "KGFormats"], exclude: ["README.md"]),
        .target(name: "KGShell", dependencies: ["KGLog", "KGFormats"], exclude: ["README.md"]),
        .target(
            name: "KGServer",
            dependencies: [
                "KGLog", "KGShell", "KGFormats",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "kglog",
            dependencies: [
                "KGLog", "KGShell", "KGServer", "KGFormats", "KGStore", "KGPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),
        // Helpers every test target shares: a temporary folder, subprocesses with deadlines,
        // a pseudo-terminal, a seeded random generator, what CI must provide.
        .target(name: "KGTestSupport", dependencies: ["KGLog", "KGPostgres"], path: "Tests/KGTestSupport", exclude: ["README.md"]),
        .testTarget(name: "KGSyntaxTests", dependencies: ["KGSyntax", "KGTestSupport"]),
        .testTarget(name: "KGStoreTests", dependencies: ["KGStore", "KGSyntax", "KGTestSupport"]),
        .testTarget(name: "KGPostgresTests", dependencies: ["KGPostgres", "KGSyntax", "KGTestSupport"]),
        .testTarget(name: "KGEngineTests", dependencies: ["KGEngine", "KGLog", "KGPostgres", "KGTestSupport"]),
        .testTarget(name: "KGFormatsTests", dependencies: ["KGFormats", "KGTestSupport"]),
        .testTarget(name: "KGLogTests", dependencies: ["KGLog", "KGTestSupport"]),
        .testTarget(name: "KGShellTests", dependencies: ["KGShell", "KGLog", "KGTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["kglog", "KGLog", "KGPostgres", "KGSyntax", "KGTestSupport"]),
        .testTarget(name: "KGServerTests", dependencies: ["KGServer", "KGLog", "KGSyntax", "KGTestSupport"]),
    ]
)
