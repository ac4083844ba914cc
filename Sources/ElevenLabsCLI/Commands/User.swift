// `elevenlabs user`: plan, credits used and left, reset date, voice slots, concurrency, and which
// source the API key came from (masked).
import ElevenLabsAPI

enum UserCommand {
    struct Report: Encodable {
        let tier: String
        let status: String?
        let credits_used: Int
        let credits_limit: Int
        let credits_remaining: Int
        let reset_unix: Int?
        let voice_slots_used: Int?
        let voice_limit: Int?
        let concurrency_limit: Int?
        let api_key: String
        let api_key_source: String
    }

    static func run(_ inv: Invocation, _ context: Context) throws {
        try CLI.expectNoOperands(inv)
        let session = try Session(inv, context)
        let sub = try session.client.subscription()
        let key = session.client.configuration.apiKey ?? ""
        let report = Report(tier: sub.tier, status: sub.status, credits_used: sub.characterCount,
                            credits_limit: sub.characterLimit, credits_remaining: sub.creditsRemaining,
                            reset_unix: sub.nextCharacterCountResetUnix, voice_slots_used: sub.voiceSlotsUsed,
                            voice_limit: sub.voiceLimit, concurrency_limit: Resolve.concurrency(tier: sub.tier),
                            api_key: Redaction.mask(key), api_key_source: session.keySource.description)
        if session.json { try context.out(JSONFields.render(report, inv)); return }
        // The client checked both numbers are 0...10^12, so the share is a plain fraction.
        let share = sub.characterLimit > 0 ? min(1, Double(sub.characterCount) / Double(sub.characterLimit)) : 1
        let pct = Int(share * 100)
        let barWidth = 30
        let filled = Int(share * Double(barWidth))
        var lines: [[String]] = [
            ["Plan", sub.tier + (sub.status.map { " (\($0))" } ?? "")],
            ["Credits", "\(Output.grouped(sub.characterCount)) of \(Output.grouped(sub.characterLimit)) used, \(Output.grouped(sub.creditsRemaining)) left"],
            ["", "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "] \(pct)%"],
        ]
        if let reset = sub.nextCharacterCountResetUnix { lines.append(["Resets", Output.date(reset)]) }
        if let used = sub.voiceSlotsUsed, let limit = sub.voiceLimit { lines.append(["Voice slots", "\(used) of \(limit)"]) }
        if let c = report.concurrency_limit {
            lines.append(["Concurrency", "\(c) requests at once (\(c * 2) with flash/turbo models)"])
        }
        lines.append(["API key", "\(report.api_key) from \(report.api_key_source)"])
        let w = lines.map { $0[0].count }.max() ?? 0
        try context.out(lines.map { "\($0[0].padding(w))  \(Output.clean($0[1]))\n" }.joined())
    }
}
