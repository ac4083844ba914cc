// `--highlight`: the text appears on the terminal as it is spoken, the word being heard marked (like
// `say -i`). Word timings come with the audio (with-timestamps); the position is what the player
// says has been heard (written to the device less the device's own delay), so the mark follows the
// sound rather than the download. In a dialogue, each speaker's words begin a line with the name.
import AudioPlayback
import ThreadSupport

final class Highlighter: Sendable {
    /// What the highlighter's thread and the callers share.
    private struct State {
        var words: [Captions.Word] = []
        var finished = false
    }
    private let shared = Monitor(State())
    private let joiner: Joiner

    init(context: Context, player: Player) {
        let shared = self.shared
        player.trackPosition()
        // Woken when the first sound is written, so nothing polls before the speech starts.
        player.whenSounding { shared.update { _ in } }
        joiner = DetachedThread.start { Self.run(shared, context: context, player: player) }
    }

    deinit { finish() }

    func add(_ more: [Captions.Word]) { shared.update { $0.words += more } }

    /// Shows what is left and ends the line.
    func finish() {
        shared.update { $0.finished = true }
        joiner.join()
    }

    private static func run(_ shared: Monitor<State>, context: Context, player: Player) {
        var shown = 0
        var line: [String] = []
        var lineLength = 0
        var speaker: String? = nil
        func endLine() {
            if !line.isEmpty { context.err("\r\u{1B}[K" + line.joined(separator: " ") + "\n") }
            line = []
            lineLength = 0
        }
        func show(_ word: String, by who: String?) {
            // A dialogue: each speaker's words start a line with the speaker's name.
            if let who, who != speaker {
                endLine()
                speaker = who
                line = [Output.clean(who) + ":"]
                lineLength = line[0].count + 1
            }
            if lineLength + word.count + 1 > max(20, context.terminalWidth - 1), !line.isEmpty {
                context.err("\r\u{1B}[K" + line.joined(separator: " ") + "\n")
                line = []
                lineLength = 0
            }
            line.append(word)
            lineLength += word.count + 1
            let before = line.dropLast().joined(separator: " ")
            context.err("\r\u{1B}[K" + before + (before.isEmpty ? "" : " ") + "\u{1B}[7m" + word + "\u{1B}[0m")
        }
        while true {
            // The next word, once it is known and heard (or once everything is over).
            let word: Captions.Word? = shared.wait { s in
                if Signals.isPending() { return .done(nil) }
                guard shown < s.words.count else { return s.finished ? .done(nil) : .wait }
                let w = s.words[shown]
                if s.finished { return .done(w) } // the speech is over: only left to show
                let heard = player.heardSeconds
                if heard >= w.start { return .done(w) }
                // Before the first sound: until the player says it has begun. Then until the word
                // starts (at most 0.5 s, as the device's delay is re-measured), or something changes.
                return heard < 0 ? .wait : .waitUntil(monotonicSeconds() + min(0.5, w.start - heard))
            }
            guard let word else { break }
            show(Output.clean(word.text), by: word.speaker)
            shown += 1
        }
        // The last word stays unmarked once the speech is over.
        context.err("\r\u{1B}[K" + line.joined(separator: " ") + "\n")
    }
}
