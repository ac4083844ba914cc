// Shared test helpers: the in-process sandbox, running blocking work off the cooperative pool,
// spawning the built binaries with both pipes drained before waiting, and temporary directories.
import Foundation
import ElevenLabsSandbox
import ElevenLabsAPI

public let sandboxKey = SandboxConfiguration.defaultAPIKey

/// Runs blocking work (libcurl transfers, waiting on a child) on its own thread: on a 2-core machine
/// two blocked tasks on the cooperative pool starve the in-process server and the tests hang.
public func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

/// Starts a sandbox on a free loopback port for the duration of `body`.
public func withSandbox<T>(_ configure: (inout SandboxConfiguration) -> Void = { _ in },
                           _ body: (Sandbox) async throws -> T) async throws -> T {
    ignorePipeSignal()
    var config = SandboxConfiguration()
    configure(&config)
    let sandbox = Sandbox(config)
    try await sandbox.start()
    do {
        let result = try await body(sandbox)
        await sandbox.stop()
        return result
    } catch {
        await sandbox.stop()
        throw error
    }
}

public func client(for sandbox: Sandbox, key: String? = sandboxKey, retries: Int = 0,
                   configure: (inout TransportOptions) -> Void = { _ in }) -> ElevenLabsClient {
    var options = TransportOptions()
    configure(&options)
    var configuration = ClientConfiguration(baseURL: sandbox.baseURL, apiKey: key, transport: options)
    configuration.retry.maxRetries = retries
    configuration.retry.initialDelay = 0.01
    return ElevenLabsClient(configuration)
}

public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: Data
    public let stderr: Data
    public var out: String { String(decoding: stdout, as: UTF8.self) }
    public var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// Where `swift build` put the executables (beside the test bundle).
public var productsDirectory: URL {
    var url = Bundle.main.bundleURL
    if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
    for candidate in [url, url.deletingLastPathComponent()] where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("elevenlabs").path) {
        return candidate
    }
    return url
}

/// Runs a built executable with a clean environment plus `env`, feeding `stdin`, and reads both
/// pipes to the end before waiting (a full pipe would otherwise deadlock the child). Kills it after
/// `timeout` seconds.
public func run(_ executable: String, _ args: [String], env: [String: String] = [:], stdin: Data? = nil,
                timeout: Double = 60) async throws -> ProcessResult {
    try await runProcess(binary(executable), args, env: env, stdin: stdin, timeout: timeout)
}

/// The environment for a child started by hand (`Process`): `env`, plus the sanitizer's settings.
public func childEnvironment(_ env: [String: String]) -> [String: String] {
    var e = env
    if let tsan = ProcessInfo.processInfo.environment["TSAN_OPTIONS"] { e["TSAN_OPTIONS"] = tsan }
    return e
}

/// A built executable: from ELEVENLABS_TEST_BIN_DIR when it holds one (the thread-sanitizer build
/// that .ci/run checks), else from beside the test bundle.
public func binary(_ name: String) -> URL {
    if let dir = ProcessInfo.processInfo.environment["ELEVENLABS_TEST_BIN_DIR"],
       FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
        return URL(fileURLWithPath: dir).appendingPathComponent(name)
    }
    return productsDirectory.appendingPathComponent(name)
}

/// A shell script (bash, with pipefail so a pipeline's status is its failing command's), or, with
/// `terminal`, the script run by script(1) on a pseudo-terminal: standard output is then the
/// terminal's output, standard error included. `$ELEVENLABS` names the built binary.
public func runShell(_ script: String, env: [String: String] = [:], terminal: Bool = false, timeout: Double = 60) async throws -> ProcessResult {
    let environment = env.merging(["ELEVENLABS": binary("elevenlabs").path]) { $1 }
    if terminal {
        try requireTool("script")
        return try await runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-q", "-e", "-c", "bash -o pipefail -c '\(script)'", "/dev/null"],
                                    env: environment.merging(["TERM": "xterm"]) { a, _ in a }, stdin: nil, timeout: timeout)
    }
    return try await runProcess(URL(fileURLWithPath: "/bin/bash"), ["-o", "pipefail", "-c", script], env: environment, stdin: nil, timeout: timeout)
}

/// Starts a child (see Child). Spawns go one at a time, so a child never inherits a pipe another
/// spawn is setting up at that moment.
public func spawn(_ p: Child) throws {
    ignorePipeSignal()
    spawnLock.lock(); defer { spawnLock.unlock() }
    try p.run()
}
private let spawnLock = NSLock()

/// The tests write to pipes a child may close first (its standard input, when it exits before
/// reading: a refused command line), and run the CLI's code in-process, which writes to sockets a
/// server may close. The binary ignores SIGPIPE (a write then fails with EPIPE, which the code
/// handles); the test process must too, or one such write ends the whole run (exit 141).
public func ignorePipeSignal() { _ = pipeSignalIgnored }
private let pipeSignalIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

/// Everything a pipe holds until its writer closes, read with read(2): Foundation's
/// readDataToEndOfFile traps when a signal (SIGCHLD from another test's child) interrupts it.
public func readAll(_ handle: FileHandle) -> Data {
    var out = Data()
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
        if n > 0 { out.append(contentsOf: buf[0..<n]); continue }
        if n < 0 && errno == EINTR { continue }
        return out
    }
}

/// Runs a program with a clean environment plus `env`; see `run`.
public func runProcess(_ url: URL, _ args: [String], env: [String: String], stdin: Data?, timeout: Double) async throws -> ProcessResult {
    ignorePipeSignal()
    return try await onThread {
        let p = Child()
        p.executableURL = url
        p.arguments = args
        var environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "XDG_CONFIG_HOME": NSTemporaryDirectory() + "/no-config-\(UUID().uuidString)"]
        // The sanitizer's settings reach the binaries under test (.ci/run's thread-sanitizer pass).
        if let tsan = ProcessInfo.processInfo.environment["TSAN_OPTIONS"] { environment["TSAN_OPTIONS"] = tsan }
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try spawn(p)
        if let stdin {
            let writer = input.fileHandleForWriting
            Thread {
                try? writer.write(contentsOf: stdin)
                try? writer.close()
            }.start()
        }
        let killer = Thread {
            let deadline = Date().addingTimeInterval(timeout)
            while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if p.isRunning { p.terminate() }
        }
        killer.start()
        let errBox = DataBox()
        let errDone = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        Thread { errBox.data = readAll(errHandle); errDone.signal() }.start()
        let outData = readAll(out.fileHandleForReading)
        errDone.wait()
        p.waitUntilExit()
        let errData = errBox.data
        return ProcessResult(status: p.terminationStatus, stdout: outData, stderr: errData)
    }
}

final class DataBox: @unchecked Sendable { var data = Data() } // written by one thread, read after a semaphore says it is done

/// The environment that points the CLI at a sandbox.
/// With `cacheIn`, the CLI's caches go under that directory (each test keeps its own).
public func sandboxEnv(_ sandbox: Sandbox, key: String = sandboxKey, cacheIn dir: URL? = nil) -> [String: String] {
    var env = ["ELEVENLABS_BASE_URL": sandbox.baseURL, "ELEVENLABS_API_KEY": key]
    if let dir { env["XDG_CACHE_HOME"] = dir.appendingPathComponent("cache").path }
    return env
}

/// A fresh temporary directory, removed by the caller with `removeItem` when wanted.
public func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("elevenlabs-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The API contract and the official OpenAPI and AsyncAPI files, kept in the repository
/// (Tests/API, see its README) so a clone needs nothing beside it.
public var sharedAPIDirectory: URL? {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("API")
    return FileManager.default.fileExists(atPath: dir.appendingPathComponent("elevenlabs-openapi-cli-subset.json").path) ? dir : nil
}

public var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// The same off the cooperative pool, for tests (which run on it).
public func tool(_ args: [String]) async throws -> (status: Int32, output: String) {
    let (status, data) = try await onThread { try runTool(args) }
    return (status, String(decoding: data, as: UTF8.self))
}

/// Runs a tool from PATH to its end and returns its status and combined output (for short-lived
/// helpers: mpg123, python3, groff, the shells).
public func runTool(_ args: [String]) throws -> (status: Int32, output: Data) {
    if let tool = args.first, !tool.hasPrefix("/") { try requireTool(tool) }
    let p = Child()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try spawn(p)
    let out = readAll(pipe.fileHandleForReading)
    p.waitUntilExit()
    return (p.terminationStatus, out)
}

/// mpg123's own decode of an MP3 (signed 16-bit, native rate and channels): the reference PCM.
public func mpg123Decode(_ mp3: URL) async throws -> Data {
    try requireTool("mpg123")
    return try await onThread {
        let p = Child()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["mpg123", "-q", "-s", mp3.path]
        let out = Pipe()
        p.standardOutput = out
        try spawn(p)
        let data = readAll(out.fileHandleForReading)
        p.waitUntilExit()
        return data
    }
}

/// `bytes` of 8 kHz 16-bit mono silence in a WAV header: a sample the sandbox takes for a clone.
public func writeSilentWAV(to url: URL, bytes: Int = 16000) throws {
    let pcm = [UInt8](repeating: 0, count: bytes)
    func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    try Data(Array("RIFF".utf8) + le32(36 + pcm.count) + Array("WAVEfmt ".utf8) + le32(16) + [1, 0, 1, 0] + le32(8000) + le32(16000)
             + [2, 0, 16, 0] + Array("data".utf8) + le32(pcm.count) + pcm).write(to: url)
}

/// Starts a test server (a Python script under Tests/EndToEndTests/Servers) that writes the port it
/// listens on into `portFile`, and waits for that port (0 when it did not start within 20 s).
public func startPortFileServer(_ arguments: [String], portFile: URL) async throws -> (Child, Int) {
    try requireTool("python3")
    let p = Child()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try spawn(p)
    let port = try await onThread { () -> Int in
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) { return port }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return 0
    }
    return (p, port)
}
