// swift-tools-version:6.0
// The elevenlabs CLI: a thin libcurl core, an mpg123+ALSA audio layer, a CLI library, and the
// elevenlabs-sandbox emulator that tests (and users) run instead of the real service.
import PackageDescription
#if canImport(Glibc)
import Glibc
#endif

// The release executable's code layout on Linux (bench/NOTES.md, "#29, round three"). A page fault on code
// maps the 64 KiB around it, so the functions that run, scattered over 10 MB, made 5 MiB resident.
// Our objects get a section per function; lld, given the functions that run and the read-only data
// they read (Sources/elevenlabs/link/hot-symbols.txt, written by bench/hotcode.py), puts them together. The
// C++ runtime the Swift runtime needs is linked in from libstdc++.a (the `-lstdc++` of Swift's
// static-stdlib link line finds link/libstdc++.so, a linker script naming the archive first): one
// shared library fewer to load, relocate and keep resident. Each piece only where it exists, so a
// toolchain without lld or a system without libstdc++.a still builds, with the default layout.
let linkDir = Context.packageDirectory + "/Sources/elevenlabs/link"
func onPath(_ tool: String) -> Bool {
    #if canImport(Glibc)
    let path = getenv("PATH").map { String(cString: $0) } ?? ""
    return path.split(separator: ":").contains { access("\($0)/\(tool)", X_OK) == 0 }
    #else
    return false
    #endif
}
func staticLibstdcxx() -> Bool {
    #if canImport(Glibc)
    var found = glob_t()
    defer { globfree(&found) }
    return glob("/usr/lib/gcc/*-linux-gnu/*/libstdc++.a", 0, nil, &found) == 0 && found.gl_pathc > 0
    #else
    return false
    #endif
}
let releaseOnLinux: BuildSettingCondition = .when(platforms: [.linux], configuration: .release)
// The compiler keeps an object whose code is unchanged (it compares a hash of the IR, which a
// section option does not change): without the second flag, a build tree from before this layout
// would keep its old objects and link them with no per-function sections.
// The third has generic types such as [OptionName: String] made through their metadata accessors
// rather than by demangling their names at run time, each first use of which searched every
// protocol conformance in the program: 16 % of the main thread's instructions in speaking a sentence.
let layoutSwift: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-function-sections",
                                                 "-Xfrontend", "-disable-incremental-llvm-codegen",
                                                 "-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"],
                                                releaseOnLinux)]
let layoutLink: [LinkerSetting] = onPath("ld.lld")
    ? [.unsafeFlags(["-use-ld=lld", "-Xlinker", "--symbol-ordering-file=\(linkDir)/hot-symbols.txt",
                     "-Xlinker", "--no-warn-symbol-ordering",
                     // Swift's static-stdlib link exports every public symbol of our modules (2,300:
                     // 190 KiB of symbol tables read at start, and a longer list for ld.so to search
                     // when ALSA loads its plugins); nothing looks them up.
                     "-Xlinker", "--no-export-dynamic",
                     // The unwinder the C++ runtime needs, from libgcc_eh.a: libgcc_s.so.1 is one
                     // shared library fewer to load and relocate at every start (84 KiB resident).
                     "-Xclang-linker", "-static-libgcc"]
                    + (staticLibstdcxx() ? ["-L", linkDir] : []), releaseOnLinux)]
    : []

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
        // libcurl is loaded with dlopen on a thread of its own, not linked (Sources/CCurl/include/CCurl.h):
        // its headers are needed to build (libcurl4-openssl-dev), the library only to run.
        .target(name: "CCurl"),
        // The audio libraries are loaded with dlopen when first used (see their shim.h): headers only, no link.
        .systemLibrary(name: "CMPG123"),
        .systemLibrary(name: "CALSA"),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The document parsers are loaded with dlopen when a document is read (see their shim.h).
        .systemLibrary(name: "CCmark"),
        .systemLibrary(name: "CXML2"),
        .systemLibrary(name: "CZip"),
        // Header-only: what the program asks of Linux beyond Swift's Glibc module (loader data, CPUs).
        .systemLibrary(name: "CSystem"),

        .target(name: "ThreadSupport", dependencies: ["CSystem"], swiftSettings: layoutSwift),
        .target(name: "ElevenLabsAPI", dependencies: ["CCurl", "CCrypto", "ThreadSupport"], swiftSettings: layoutSwift),
        .target(name: "AudioPlayback", dependencies: ["CMPG123", "CALSA", "ThreadSupport"], swiftSettings: layoutSwift),
        // Documents (Markdown, HTML, EPUB) to speech-ready text in chapters: no HTTP, no audio.
        .target(name: "Documents", dependencies: ["CCmark", "CXML2", "CZip"], swiftSettings: layoutSwift),
        .target(name: "ElevenLabsCLI", dependencies: ["ElevenLabsAPI", "AudioPlayback", "ThreadSupport", "Documents"], swiftSettings: layoutSwift),
        // The arguments from glibc rather than from the Swift runtime's search of /proc/self/maps
        // before `main` (0.16-0.30 ms; Sources/CArguments/arguments.c).
        .target(name: "CArguments"),
        .executableTarget(name: "elevenlabs", dependencies: ["ElevenLabsCLI", "CSystem", "CArguments"], exclude: ["link"],
                          swiftSettings: layoutSwift, linkerSettings: layoutLink),

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
        .testTarget(name: "ThreadSupportTests", dependencies: ["ThreadSupport", "CSystem", "TestSupport"]),
        .testTarget(name: "DocumentsTests", dependencies: ["Documents", "TestSupport"]),
        // The Python validators and servers beside the tests are run by them, not built.
        .testTarget(name: "SandboxTests", dependencies: ["ElevenLabsSandbox", "TestSupport"],
                    exclude: ["validate_responses.py", "validate_stream_input.py"]),
        // Depends on both executables so `swift test` builds the real binaries it spawns.
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "ElevenLabsCLI", "elevenlabs", "elevenlabs-sandbox"],
                    exclude: ["Servers"]),
    ]
)
