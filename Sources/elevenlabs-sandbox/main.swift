// elevenlabs-sandbox: runs the ElevenLabs emulator on a loopback port so the CLI (and your scripts)
// can be tried offline without spending credits. Faults can be injected from the command line.
import Foundation
import ElevenLabsSandbox

let usage = """
usage: elevenlabs-sandbox [options]

Runs a local stand-in for api.elevenlabs.io (HTTP and the stream-input WebSocket) on 127.0.0.1.
It prints the address and the API key it accepts; then, in another shell:
  export ELEVENLABS_BASE_URL=http://127.0.0.1:8787 ELEVENLABS_API_KEY=\(SandboxConfiguration.defaultAPIKey)
  elevenlabs models

Options:
  --port N                 port to listen on (default 8787; 0 picks a free one)
  --host ADDRESS           loopback address to bind (default 127.0.0.1)
  --key KEY                accept KEY (repeatable; replaces the default key)
  --restricted-key KEY=PERM[,PERM]
                           accept KEY but answer 401 missing_permissions for PERM
                           (text_to_speech, voices_read, voices_write, models_read, user_read,
                           speech_history_read, speech_history_write)
  --tier NAME              plan: free, starter, creator (default), pro, scale, business
  --credits N              credits per period (default: the plan's)
  --credits-used N         credits already used this period (default 0)
  --extra-voices N         add N cloned voices, for paging through /v2/voices

Faults and pacing (audio requests are text to speech and history audio):
  --first-byte-delay MS    wait before answering audio requests
  --chunk-size BYTES       bytes per streamed chunk (default 4096)
  --chunk-delay MS         pause between streamed chunks
  --rate-limit-first N     429 too_many_concurrent_requests for the first N audio requests
  --retry-after SECONDS    send Retry-After with injected 429s
  --concurrency-limit N    429 too_many_concurrent_requests above N audio requests in flight
  --system-busy-first N    429 system_busy for the next N audio requests
  --server-error-first N   5xx for the next N audio requests
  --server-error-status C  the 5xx status to use (default 500)
  --html-error-first N     a gateway's HTML 502 page for the first N requests of any kind
  --cut-after BYTES        close the connection after BYTES of audio
  --cut-first N            ...in the first N audio answers only (default: every one)
  --cut-skip N             ...after leaving the first N audio answers whole
  --stall-after BYTES      stop sending (but keep the connection) after BYTES of audio
  --malformed-json         answer JSON endpoints with truncated JSON
  --json-instead-of-audio  answer audio requests 200 with a JSON body
  --empty-audio            answer audio requests 200 with an empty body
  --history-page-cap N     return at most N history items per page
  --hostile-seed N         fill JSON answers with extreme numbers and escape sequences (seeded)
  --huge-header BYTES      send audio answers with this many bytes of extra headers

Output:
  --log FILE               append every request as a JSON line (the API key masked)
  --quiet                  print only the listening line
  -h, --help               show this help
"""

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("elevenlabs-sandbox: \(message)\nelevenlabs-sandbox: try 'elevenlabs-sandbox --help'\n".utf8))
    exit(2)
}

struct Settings {
    var config = SandboxConfiguration()
    var port: UInt16 = 8787
    var host = "127.0.0.1"
    var logPath: String?
    var quiet = false
}

func parseArguments(_ argv: [String]) -> Settings {
var settings = Settings()
var keys: [String] = []
var args = argv
func value(_ name: String) -> String {
    guard !args.isEmpty else { fail("\(name) needs a value") }
    return args.removeFirst()
}
func number(_ name: String) -> Int {
    let raw = value(name)
    guard let n = Int(raw), n >= 0 else { fail("\(name) needs a whole number, not '\(raw)'") }
    return n
}
while !args.isEmpty {
    var arg = args.removeFirst()
    if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
        args.insert(String(arg[arg.index(after: eq)...]), at: 0)
        arg = String(arg[..<eq])
    }
    switch arg {
    case "-h", "--help": print(usage); exit(0)
    case "--port":
        let n = number(arg)
        guard n <= 65535 else { fail("--port must be from 0 to 65535") }
        settings.port = UInt16(n)
    case "--host":
        settings.host = value(arg)
        guard settings.host.hasPrefix("127.") else { fail("--host must be a loopback address such as 127.0.0.1") }
    case "--key": keys.append(value(arg))
    case "--restricted-key":
        let spec = value(arg)
        guard let eq = spec.firstIndex(of: "=") else { fail("--restricted-key needs KEY=PERMISSION[,PERMISSION]") }
        settings.config.restrictedKeys[String(spec[..<eq])] = Set(spec[spec.index(after: eq)...].split(separator: ",").map(String.init))
    case "--tier":
        settings.config.tier = value(arg).lowercased()
        guard ["free", "starter", "creator", "pro", "scale", "business", "enterprise"].contains(settings.config.tier) else {
            fail("unknown tier '\(settings.config.tier)'")
        }
    case "--credits": settings.config.characterLimit = number(arg)
    case "--credits-used": settings.config.characterCount = number(arg)
    case "--extra-voices": settings.config.extraVoices = number(arg)
    case "--first-byte-delay": settings.config.faults.firstByteDelay = Double(number(arg)) / 1000
    case "--chunk-size": settings.config.faults.chunkSize = max(1, number(arg))
    case "--chunk-delay": settings.config.faults.chunkDelay = Double(number(arg)) / 1000
    case "--rate-limit-first": settings.config.faults.rateLimitFirst = number(arg)
    case "--retry-after": settings.config.faults.retryAfter = number(arg)
    case "--concurrency-limit": settings.config.faults.concurrencyLimit = number(arg)
    case "--system-busy-first": settings.config.faults.systemBusyFirst = number(arg)
    case "--server-error-first": settings.config.faults.serverErrorFirst = number(arg)
    case "--server-error-status":
        let code = number(arg)
        guard (500...599).contains(code) else { fail("--server-error-status must be a 5xx status") }
        settings.config.faults.serverErrorStatus = code
    case "--html-error-first": settings.config.faults.htmlErrorFirst = number(arg)
    case "--cut-after": settings.config.faults.cutAfterBytes = number(arg)
    case "--cut-first": settings.config.faults.cutFirst = number(arg)
    case "--cut-skip": settings.config.faults.cutSkip = number(arg)
    case "--hostile-seed": settings.config.faults.hostileSeed = UInt64(number(arg))
    case "--huge-header": settings.config.faults.hugeHeaderBytes = number(arg)
    case "--stall-after": settings.config.faults.stallAfterBytes = number(arg)
    case "--malformed-json": settings.config.faults.malformedJSON = true
    case "--json-instead-of-audio": settings.config.faults.jsonInsteadOfAudio = true
    case "--empty-audio": settings.config.faults.emptyAudio = true
    case "--history-page-cap": settings.config.faults.historyPageCap = max(1, number(arg))
    case "--log": settings.logPath = value(arg)
    case "--quiet": settings.quiet = true
    default: fail("unknown option \(arg)")
    }
}
if !keys.isEmpty { settings.config.apiKeys = Set(keys) }
return settings
}

let settings = parseArguments(Array(CommandLine.arguments.dropFirst()))
let config = settings.config, port = settings.port, host = settings.host, logPath = settings.logPath, quiet = settings.quiet


let sandbox = Sandbox(config)
if let logPath {
    guard FileManager.default.createFile(atPath: logPath, contents: nil) || FileManager.default.isWritableFile(atPath: logPath),
          let handle = FileHandle(forWritingAtPath: logPath) else { fail("cannot write the log file \(logPath)") }
    handle.seekToEndOfFile()
    let lock = NSLock()
    sandbox.onRequest { r in
        var entry: [String: Any] = ["method": r.method, "path": r.path, "status": r.status,
                                    "query": r.query.map { [$0.name, $0.value] }, "headers": r.headers,
                                    "time": r.startedAt.timeIntervalSince1970]
        if let json = r.json { entry["body"] = json } else if !r.body.isEmpty { entry["body_bytes"] = r.body.count }
        if !r.parts.isEmpty { entry["parts"] = r.parts.map { ["name": $0.name, "filename": ($0.filename as Any?) ?? NSNull(), "bytes": $0.body.count] } }
        if !r.messages.isEmpty { entry["messages"] = r.messages }
        guard let data = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        lock.lock(); handle.write(data + Data("\n".utf8)); lock.unlock()
    }
}
do {
    let bound = try await sandbox.start(port: port, host: host)
    // Unbuffered, so a script reading the first line learns the port at once.
    var banner = "elevenlabs-sandbox: listening on http://\(host):\(bound)\n"
    if !quiet {
        banner += "elevenlabs-sandbox: API key: \(config.apiKeys.sorted().joined(separator: ", "))\n"
        banner += "elevenlabs-sandbox: export ELEVENLABS_BASE_URL=http://\(host):\(bound) ELEVENLABS_API_KEY=\(config.apiKeys.sorted().first ?? "")\n"
    }
    FileHandle.standardOutput.write(Data(banner.utf8))
    try await sandbox.wait()
} catch {
    FileHandle.standardError.write(Data("elevenlabs-sandbox: cannot listen on \(host):\(port): \(error)\n".utf8))
    exit(1)
}
