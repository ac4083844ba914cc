// Oracles that do not come from the code under test: mpg123 as the independent MP3 decoder, a byte
// comparison that fails in milliseconds with a readable report, and the external tools the suite
// needs, each named with the Debian package that provides it.
import Foundation
#if canImport(Testing) // a plain `swift build` (no tests) compiles this target without Testing
import Testing
#endif

// MARK: External tools

/// Every program the tests run, with the Debian package that installs it (`.ci/setup` installs all).
public let externalTools: [(tool: String, package: String)] = [
    ("mpg123", "mpg123"), ("sox", "sox"), ("soxi", "sox"), ("python3", "python3"), ("groff", "groff-base"),
    ("man", "man-db"), ("bash", "bash"), ("zsh", "zsh"), ("fish", "fish"), ("openssl", "openssl"),
    ("script", "bsdutils"), ("time", "time"), ("tmux", "tmux"),
]

public struct MissingTool: Error, CustomStringConvertible {
    public let tool: String
    public var description: String {
        let package = externalTools.first { $0.tool == tool }?.package ?? tool
        return "the test tool '\(tool)' is not installed: apt-get install \(package) (or run .ci/setup, which installs every test tool)"
    }
}

private let searchPath = ["/usr/local/bin", "/usr/bin", "/bin"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)

/// The tool's path, or nil when it is not on PATH (nor in the usual directories).
public func toolPath(_ tool: String) -> String? {
    for dir in searchPath where FileManager.default.isExecutableFile(atPath: dir + "/" + tool) { return dir + "/" + tool }
    return nil
}

/// Throws a one-line error naming the package when `tool` is missing, so a test fails with the cause
/// rather than with a confusing wrong result.
public func requireTool(_ tool: String) throws {
    if toolPath(tool) == nil { throw MissingTool(tool: tool) }
}

/// Python modules the schema checks import, with the package that provides them.
public let pythonModules: [(module: String, package: String)] = [
    ("jsonschema", "python3 -m pip install jsonschema"), ("yaml", "python3 -m pip install pyyaml"),
    ("websockets", "python3 -m pip install websockets"), ("mutagen", "apt-get install python3-mutagen"),
]

#if canImport(Testing)
// MARK: Byte comparison

/// FNV-1a, 64 bits: enough to tell two buffers apart in a failure message.
public func digest(_ bytes: some Collection<UInt8>) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return String(hash, radix: 16)
}

/// Compares two buffers without handing them to `#expect` (whose diff of large values runs for
/// minutes): on a difference it records one issue with both lengths, the first differing offset
/// and a digest of each. Returns whether they were equal.
@discardableResult
public func expectSameBytes(_ actual: some Collection<UInt8>, _ expected: some Collection<UInt8>, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    let a = Array(actual), e = Array(expected)
    if a == e { return true }
    let common = min(a.count, e.count)
    var offset = 0
    while offset < common && a[offset] == e[offset] { offset += 1 }
    Issue.record("\(what): \(a.count) bytes, expected \(e.count); first difference at offset \(offset); digests \(digest(a)) and \(digest(e))",
                 sourceLocation: sourceLocation)
    return false
}

/// The same for texts (generated files): reports the first differing line instead of a diff.
@discardableResult
public func expectSameText(_ actual: String, _ expected: String, _ what: String,
                           sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    if actual == expected { return true }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false), e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    var line = 0
    while line < min(a.count, e.count) && a[line] == e[line] { line += 1 }
    let got = line < a.count ? String(a[line].prefix(120)) : "(end)", want = line < e.count ? String(e[line].prefix(120)) : "(end)"
    Issue.record("\(what): \(a.count) lines, expected \(e.count); first difference at line \(line + 1): '\(got)', expected '\(want)'",
                 sourceLocation: sourceLocation)
    return false
}

#endif

// MARK: mpg123, the independent decoder

/// What mpg123 made of an MP3 stream: its PCM length and format, and every complaint it printed
/// (bad headers, resyncs, decoding errors). A stream of whole, valid frames has no complaints.
public struct MP3Probe: Sendable {
    public let sampleRate: Int
    public let channels: Int
    /// Samples per channel.
    public let samples: Int
    public let complaints: [String]
    public var seconds: Double { sampleRate > 0 ? Double(samples) / Double(sampleRate) : 0 }
}

/// Decodes `mp3` with mpg123 into a WAV file and reads the format and length from its header.
public func mpg123Probe(_ mp3: some Collection<UInt8>) async throws -> MP3Probe {
    try requireTool("mpg123")
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("in.mp3"), wav = dir.appendingPathComponent("out.wav")
    try Data(mp3).write(to: input)
    let (_, output) = try await onThread { try runTool(["mpg123", "-w", wav.path, input.path]) }
    let complaints = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        .filter { $0.contains("Illegal") || $0.contains("error") || $0.contains("warning") || $0.contains("resync") || $0.contains("Frankenstein") }
    guard let header = try? Data(contentsOf: wav), header.count >= 44 else {
        return MP3Probe(sampleRate: 0, channels: 0, samples: 0, complaints: complaints + ["mpg123 wrote no WAV"])
    }
    func le(_ at: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(header[header.startIndex + at + $1]) << (8 * $1) } }
    let channels = le(22, 2), rate = le(24, 4), bits = le(34, 2)
    let samples = channels > 0 && bits > 0 ? (header.count - 44) / (channels * bits / 8) : 0
    return MP3Probe(sampleRate: rate, channels: channels, samples: samples, complaints: complaints)
}

#if canImport(Testing)
/// Checks that `mp3` is a run of whole, valid frames: mpg123 decodes it without a complaint, and
/// the stream twice over decodes to exactly twice its samples (a cut last frame would make the
/// junction unparsable). Returns the probe of the single stream.
@discardableResult
public func expectWholeMP3(_ mp3: some Collection<UInt8>, _ what: String,
                           sourceLocation: SourceLocation = #_sourceLocation) async throws -> MP3Probe {
    let once = try await mpg123Probe(mp3)
    let twice = try await mpg123Probe(Array(mp3) + Array(mp3))
    #expect(once.samples > 0, "\(what): mpg123 decoded nothing", sourceLocation: sourceLocation)
    #expect(once.complaints.isEmpty && twice.complaints.isEmpty,
            "\(what): mpg123 complained: \((once.complaints + twice.complaints).prefix(3))", sourceLocation: sourceLocation)
    #expect(twice.samples == 2 * once.samples, "\(what): twice over decodes to \(twice.samples) samples, not \(2 * once.samples)",
            sourceLocation: sourceLocation)
    return once
}
#endif

/// SplitMix64: a small, well-known generator, seeded so each property case is the same on every run.
public struct SeededGenerator: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}
