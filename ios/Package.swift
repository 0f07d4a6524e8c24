// swift-tools-version:5.9
// TandemCore: the uniffi Swift bindings over the Rust core, as a Swift
// package. scripts/build-xcframework builds TandemCoreFFI.xcframework and
// generates Sources/TandemCore/TandemCore.swift before `swift build` or Xcode.
import PackageDescription

let package = Package(
    name: "TandemCore",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "TandemCore", targets: ["TandemCore"]),
    ],
    targets: [
        .binaryTarget(name: "TandemCoreFFI", path: "build/TandemCoreFFI.xcframework"),
        .target(
            name: "TandemCore",
            dependencies: ["TandemCoreFFI"],
            path: "TandemCore/Sources"
        ),
    ]
)
