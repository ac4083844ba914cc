// The sandbox's mutable world, behind one lock: configuration and faults, the request log, voices,
// history, credits, in-flight counts and id generation.
import Foundation

final class VoiceRecord {
    var id: String
    var name: String
    var category: String
    var labels: [String: String]
    var description: String?
    var settings: [String: Any]
    var samples: [[String: Any]]
    var createdAt: Int
    init(id: String, name: String, category: String, labels: [String: String], description: String?,
         settings: [String: Any], samples: [[String: Any]] = [], createdAt: Int) {
        self.id = id; self.name = name; self.category = category; self.labels = labels
        self.description = description; self.settings = settings; self.samples = samples; self.createdAt = createdAt
    }
}

struct HistoryRecord {
    let id: String
    let requestID: String
    let voiceID: String
    let voiceName: String
    let voiceCategory: String
    let modelID: String
    let text: String
    let dateUnix: Int
    let countFrom: Int
    let countTo: Int
    let contentType: String
    let outputFormat: String
    let settings: [String: Any]
    let audio: [UInt8]
    /// A dialogue's lines (text, voice_id, voice_name); the item's own text and voice are then empty.
    var dialogue: [[String: String]]? = nil
}

final class SandboxState: @unchecked Sendable { // every field is only touched inside `locked`, under `lock`
    private let lock = NSLock()
    var config: SandboxConfiguration
    var log: [RecordedRequest] = []
    /// The sandbox's own address, for links it hands out (voice previews).
    var publicBase = ""
    /// How many records were cleared before the first in `log` (ids stay unique across clears).
    var logBase = 0
    var observer: (@Sendable (RecordedRequest) -> Void)?
    var voices: [VoiceRecord] = []
    var history: [HistoryRecord] = [] // oldest first
    var dictionaries: [DictionaryRecord] = [] // oldest first
    var audioRequests = 0
    var cutCounter = 0
    var allRequests = 0
    var inFlight = 0
    var peakInFlight = 0
    private var idCounter: UInt64 = 0
    let startedAt = Int(Date().timeIntervalSince1970)

    static var defaultSettings: [String: Any] {
        ["stability": 0.5, "similarity_boost": 0.75, "style": 0.0, "use_speaker_boost": true, "speed": 1.0]
    }

    init(_ config: SandboxConfiguration) {
        self.config = config
        let created = startedAt - 86_400 * 400
        for (i, p) in Catalog.premade.enumerated() {
            voices.append(VoiceRecord(
                id: p.id, name: p.name, category: "premade",
                labels: ["gender": p.gender, "age": p.age, "accent": p.accent, "use_case": p.useCase,
                         "language": "en", "descriptive": p.name.split(separator: "-").last.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""],
                description: nil, settings: Self.defaultSettings, createdAt: created + i))
        }
        for i in 0..<config.extraVoices {
            voices.append(VoiceRecord(
                id: nextID(), name: "Sandbox Voice \(i + 1)", category: "cloned",
                labels: ["gender": i % 2 == 0 ? "female" : "male", "accent": "neutral", "language": "en"],
                description: "A cloned voice the sandbox made up for paging tests", settings: Self.defaultSettings,
                createdAt: startedAt - 3600 + i))
        }
    }

    func locked<T>(_ body: (SandboxState) throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(self)
    }

    /// 20 characters from [A-Za-z0-9], like the service's ids; deterministic per sandbox run.
    func nextID() -> String {
        idCounter &+= 1
        var x = idCounter &* 0x9E37_79B9_7F4A_7C15 ^ 0xD1B5_4A32_D192_ED03
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var s = ""
        for _ in 0..<20 {
            x ^= x >> 29; x = x &* 0xBF58_476D_1CE4_E5B9; x ^= x >> 32
            s.append(alphabet[Int(x % UInt64(alphabet.count))])
        }
        return s
    }

    var characterLimit: Int { config.characterLimit ?? Catalog.characterLimits[config.tier] ?? 100_000 }
    var voiceLimit: Int { Catalog.voiceLimits[config.tier] ?? 30 }
    func voice(_ id: String) -> VoiceRecord? { voices.first { $0.id == id } }

    /// The faults for the next audio answer: the first `cutSkip` answers are whole, then
    /// `cutAfterBytes` applies to `cutFirst` answers (0: to all of them).
    func faultsForAudioAnswer() -> Faults {
        locked { s in
            var f = s.config.faults
            if f.cutAfterBytes != nil && (f.cutFirst > 0 || f.cutSkip > 0) {
                s.cutCounter += 1
                let n = s.cutCounter - f.cutSkip
                if n < 1 || (f.cutFirst > 0 && n > f.cutFirst) { f.cutAfterBytes = nil }
            }
            return f
        }
    }

    /// The request's id: its place in the log counted since the sandbox started, so a request still
    /// running when the log is cleared never touches a later one's record.
    func record(_ r: RecordedRequest) -> Int {
        locked { s in s.log.append(r); return s.logBase + s.log.count - 1 }
    }

    /// Records the status and tells the observer; a WebSocket upgrade (101) is told only when the
    /// session ends, with its messages.
    func finish(_ id: Int, status: Int, sessionEnded: Bool = false) {
        let done: (RecordedRequest, (@Sendable (RecordedRequest) -> Void)?)? = locked { s in
            let i = id - s.logBase
            guard s.log.indices.contains(i) else { return nil } // cleared meanwhile
            s.log[i].status = status
            return (s.log[i], s.observer)
        }
        if let (r, obs) = done, status != 101 || sessionEnded { obs?(r) }
    }

    func appendMessage(_ id: Int, _ text: String) {
        locked { s in if s.log.indices.contains(id - s.logBase) { s.log[id - s.logBase].messages.append(text) } }
    }

    func appendReply(_ id: Int, _ text: String) {
        locked { s in if s.log.indices.contains(id - s.logBase) { s.log[id - s.logBase].replies.append(text) } }
    }
}

/// Counts an audio request as in flight from its acceptance until its body is fully sent or abandoned.
final class InFlightToken: @unchecked Sendable { // `released` is only touched with `lock` held
    private let state: SandboxState
    private var released = false
    private let lock = NSLock()
    init(_ state: SandboxState) {
        self.state = state
        state.locked { s in s.inFlight += 1; s.peakInFlight = max(s.peakInFlight, s.inFlight) }
    }
    func release() {
        lock.lock(); defer { lock.unlock() }
        guard !released else { return }
        released = true
        state.locked { $0.inFlight -= 1 }
    }
    deinit { release() }
}
