// swift-tools-version:6.0
// The elevenlabs CLI: a thin libcurl core, an mpg123+ALSA audio layer, a CLI library, and the
// elevenlabs-sandbox emulator that tests (and users) run instead of the real service.
import PackageDescription

let package = Package(
    name: "elevenlabs",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "elevenlabs", targets: ["elevenlabs"]),
        .executable(name: "elevenlabs-sandbox", targets: ["elevenlabs-sandbox"]),
    ],
    dependencies: [
        // Only the emulator uses these: `swift build --product elevenlabs` never compiles them.
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The audio libraries are loaded with dlopen when first used (see their shim.h): headers only, no link.
        .systemLibrary(name: "CMPG123"),
        .systemLibrary(name: "CALSA"),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The document parsers are loaded with dlopen when a document is read (see their shim.h).
        .systemLibrary(name: "CCmark"),
        .systemLibrary(name: "CXML2"),
        .systemLibrary(name: "CZip"),

        .target(name: "ThreadSupport"),
        .target(name: "ElevenLabsAPI", dependencies: ["CCurl", "CCrypto", "ThreadSupport"]),
        .target(name: "AudioPlayback", dependencies: ["CMPG123", "CALSA", "ThreadSupport"]),
        // Documents (Markdown, HTML, EPUB) to speech-ready text in chapters: no HTTP, no audio.
        .target(name: "Documents", dependencies: ["CCmark", "CXML2", "CZip"]),
        .target(name: "ElevenLabsCLI", dependencies: ["ElevenLabsAPI", "AudioPlayback", "ThreadSupport", "Documents"]),
        .executableTarget(name: "elevenlabs", dependencies: ["ElevenLabsCLI"]),

        .target(name: "ElevenLabsSandbox",
                dependencies: [.product(name: "FlyingFox", package: "FlyingFox"),
                               .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                exclude: ["Fixtures"]),
        .executableTarget(name: "elevenlabs-sandbox", dependencies: ["ElevenLabsSandbox"]),

        .target(name: "TestSupport",
                dependencies: ["ElevenLabsSandbox", "ElevenLabsAPI"],
                path: "Tests/TestSupport"),
        .testTarget(name: "ElevenLabsAPITests", dependencies: ["ElevenLabsAPI", "TestSupport"]),
        .testTarget(name: "ElevenLabsCLITests", dependencies: ["ElevenLabsCLI", "TestSupport"]),
        .testTarget(name: "AudioPlaybackTests", dependencies: ["AudioPlayback", "TestSupport"]),
        .testTarget(name: "DocumentsTests", dependencies: ["Documents", "TestSupport"]),
        // The Python validators and servers beside the tests are run by them, not built.
        .testTarget(name: "SandboxTests", dependencies: ["ElevenLabsSandbox", "TestSupport"],
                    exclude: ["validate_responses.py", "validate_stream_input.py"]),
        // Depends on both executables so `swift test` builds the real binaries it spawns.
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "ElevenLabsCLI", "elevenlabs", "elevenlabs-sandbox"],
                    exclude: ["Servers"]),
    ]
)
