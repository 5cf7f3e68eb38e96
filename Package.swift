// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "sansang",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sansang", targets: ["sansang"]),
        .executable(name: "sansang-lab", targets: ["sansang-lab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The daemon (issue 8): HTTP server, service lifecycle, logging. ConfigurationSupport is off:
        // the daemon reads its own flags, and swift-configuration would only add build time.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries from Debian; a shim.h wraps the macros and variadics Swift cannot call.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        .target(name: "SansangCore", swiftSettings: strict),
        .target(name: "TLSProbe", dependencies: ["SansangCore", "COpenSSL"], swiftSettings: strict),
        .target(name: "HTTPProbe", dependencies: ["SansangCore", "CCurl"], swiftSettings: strict),
        .target(name: "PortProbe", dependencies: ["SansangCore"], swiftSettings: strict),
        // nginx/Apache/sshd parsers and the client-certificate facts (certificate reading is injected from TLSProbe).
        .target(name: "ConfigProbe", dependencies: ["SansangCore"], swiftSettings: strict),
        .target(name: "Rules", dependencies: ["SansangCore"], swiftSettings: strict),
        .target(name: "Inventory", dependencies: ["SansangCore", "Yams"], swiftSettings: strict),
        .target(name: "Store", dependencies: ["SansangCore", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        .target(name: "Engine", dependencies: ["SansangCore", "TLSProbe", "HTTPProbe", "PortProbe", "ConfigProbe", "Rules", "Inventory", "Store", "Reporting"], swiftSettings: strict),
        .target(name: "Reporting", dependencies: ["SansangCore", .product(name: "Mustache", package: "swift-mustache")], swiftSettings: strict),
        // `sansang serve`: scheduler, job queue, HTTP API and dashboard. Only Daemon imports Hummingbird.
        .target(
            name: "Daemon",
            dependencies: [
                "SansangCore", "Engine", "Inventory", "Store", "Reporting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "sansang",
            dependencies: [
                "SansangCore", "Engine", "Rules", "Reporting", "TLSProbe", "Inventory", "Store", "Daemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // Test support: fake and hostile TLS servers, openssl s_server launcher, certificate maker.
        .target(name: "TLSLab", dependencies: ["SansangCore", "COpenSSL"], swiftSettings: strict),
        .executableTarget(name: "sansang-lab", dependencies: ["TLSLab"], swiftSettings: strict),

        .testTarget(name: "TLSLabTests", dependencies: ["TLSLab"], swiftSettings: strict),
        .testTarget(name: "SansangCoreTests", dependencies: ["SansangCore"], swiftSettings: strict),
        .testTarget(name: "TLSProbeTests", dependencies: ["TLSProbe", "SansangCore"], swiftSettings: strict),
        .testTarget(name: "HTTPProbeTests", dependencies: ["HTTPProbe", "SansangCore"], swiftSettings: strict),
        .testTarget(name: "PortProbeTests", dependencies: ["PortProbe", "SansangCore"], swiftSettings: strict),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory", "SansangCore"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Store", "SansangCore"], swiftSettings: strict),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "SansangCore", "TLSLab"], exclude: ["Fixtures", "Golden"], swiftSettings: strict),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "SansangCore", "Inventory"], swiftSettings: strict),
        .testTarget(name: "ConfigProbeTests", dependencies: ["ConfigProbe", "Rules", "SansangCore", "TLSProbe", "TLSLab"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "Store", "Inventory", "SansangCore", "TLSLab"], swiftSettings: strict),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Engine", "TLSProbe", "HTTPProbe", "PortProbe", "ConfigProbe", "Rules", "Reporting", "TLSLab", "SansangCore", "Inventory", "Store"],
            swiftSettings: strict
        ),
    ]
)
