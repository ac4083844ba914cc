// Spending checks shared by speak and batch: the credits a text will cost, estimated from the
// model's price per character, against what the plan has left; refused when it cannot be afforded,
// asked about on a terminal when large. Nothing here sends a request.
enum Spend {
    /// Above this many estimated credits, a terminal user is asked first (--yes skips the question).
    static let confirmAbove = 10_000

    /// Credits for `characters` at `perCharacter` (the model's multiplier), rounded up; absurd
    /// multipliers from a server are an error, not a crash.
    static func estimate(characters: Int, perCharacter: Double?) throws -> Int {
        let rate = perCharacter ?? 1
        guard rate.isFinite, rate >= 0, rate <= 1_000 else {
            throw CLIError("the server gave an impossible price for the model (\(rate) credits per character)", exit: .failure)
        }
        let credits = (Double(characters) * rate).rounded(.up)
        return credits < Double(Int.max / 2) ? Int(credits) : Int.max / 2
    }

    /// Refuses what cannot be afforded (exit 5); asks on a terminal above `confirmAbove`.
    /// `what` completes "this ... needs about N credits" and "convert/speak ...?".
    static func check(estimate: Int, remaining: Int, what: String, question: String, _ inv: Invocation, _ context: Context) throws {
        if estimate > remaining {
            throw CLIError("\(what) needs about \(Output.grouped(estimate)) credits, but \(Output.grouped(remaining)) are left",
                           hint: "use less text, a cheaper model (-m eleven_flash_v2_5), or wait for the reset ('elevenlabs user')", exit: .quota)
        }
        guard estimate > confirmAbove && !inv.flag(.yes) else { return }
        if context.stdinIsTerminal && context.stderrIsTerminal {
            guard Prompt.ask("elevenlabs: \(question)", context) else { throw CLIError("nothing spent", exit: .failure) }
        } else if !context.stdinIsTerminal, let yes = Prompt.askOnTerminal("elevenlabs: \(question)", context) {
            // The text came through standard input, but a person is at the terminal: asked there.
            guard yes else { throw CLIError("nothing spent", exit: .failure) }
        }
    }
}
