// `--highlight`: the text appears on the terminal as it is spoken, the word being heard marked (like
// `say -i`). Word timings come with the audio (with-timestamps); the position is what the player
// says has been heard (written to the device less the device's own delay), so the mark follows the
// sound rather than the download. In a dialogue, each speaker's words begin a line with the name.
import AudioPlayback
import ThreadSupport

final class Highlighter: Sendable {
    /// What the highlighter's thread and the callers share.
    private final class Shared: @unchecked Sendable { // `words` and `finished` are only touched with `cond` locked
        let cond = Condition()
        var words: [Captions.Word] = []
        var finished = false
    }
    private let shared = Shared()
    private let joiner: Joiner

    init(context: Context, player: Player) {
        let shared = self.shared
        joiner = DetachedThread.start { Self.run(shared, context: context, player: player) }
    }

    deinit { finish() }

    func add(_ more: [Captions.Word]) { shared.cond.withLock { shared.words += more; shared.cond.broadcast() } }

    /// Shows what is left and ends the line.
    func finish() {
        shared.cond.withLock { shared.finished = true; shared.cond.broadcast() }
        joiner.join()
    }

    private static func run(_ shared: Shared, context: Context, player: Player) {
        let cond = shared.cond
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
            let word: Captions.Word? = cond.withLock {
                while true {
                    if Signals.isPending() { return nil }
                    if shown < shared.words.count {
                        let w = shared.words[shown]
                        if shared.finished { return w } // the speech is over: only left to show
                        let heard = player.heardSeconds
                        if heard >= w.start { return w }
                        // Until the word starts: sleep the time left, or until something changes.
                        cond.wait(seconds: heard < 0 ? 0.05 : min(0.5, w.start - heard))
                        continue
                    }
                    if shared.finished { return nil }
                    cond.wait()
                }
            }
            guard let word else { break }
            show(Output.clean(word.text), by: word.speaker)
            shown += 1
        }
        // The last word stays unmarked once the speech is over.
        context.err("\r\u{1B}[K" + line.joined(separator: " ") + "\n")
    }
}
