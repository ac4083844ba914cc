// `--highlight`: the text appears on the terminal as it is spoken, the word being heard marked (like
// `say -i`). Word timings come with the audio (with-timestamps); the position is the time since the
// device started playing, so the mark follows the sound rather than the download.
import AudioPlayback
import ThreadSupport

final class Highlighter: @unchecked Sendable {
    private let cond = Condition()
    private var words: [Captions.Word] = []
    private var shown = 0          // words already printed
    private var line: [String] = [] // words of the current terminal line
    private var lineLength = 0
    private var finished = false
    private var join: (() -> Void)?
    private let context: Context
    private let player: Player

    init(context: Context, player: Player) {
        self.context = context
        self.player = player
        join = DetachedThread.start { [unowned self] in self.run() }
    }

    func add(_ more: [Captions.Word]) { cond.withLock { words += more; cond.broadcast() } }

    /// Shows what is left and ends the line.
    func finish() {
        cond.withLock { finished = true; cond.broadcast() }
        join?()
        join = nil
    }

    /// Seconds of audio heard: since the first write, less the device's preload, never past what was written.
    private func heard() -> Double {
        guard let first = player.firstWrite else { return -1 }
        return min(player.secondsPlayed, monotonicSeconds() - first - ALSASink.preloadSeconds)
    }

    private func run() {
        while true {
            let (next, done): (Captions.Word?, Bool) = cond.withLock {
                if shown < words.count { return (words[shown], false) }
                return (nil, finished)
            }
            guard let word = next else {
                if done { break }
                cond.withLock { cond.wait(seconds: 0.02) }
                continue
            }
            // Wait until the word is heard (or everything is over and it is only left to show).
            while heard() < word.start && !cond.withLock({ finished }) && !Signals.isPending() {
                cond.withLock { cond.wait(seconds: 0.01) }
            }
            if Signals.isPending() { break }
            show(word.text)
            cond.withLock { shown += 1 }
        }
        // The last word stays unmarked once the speech is over.
        context.err("\r\u{1B}[K" + line.joined(separator: " ") + "\n")
    }

    private func show(_ word: String) {
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
}
