// How live text is cut into the units sent over the stream-input WebSocket: sentences as they form,
// lines, and long runs at their last clause or word; linear in the input however much arrives.
import ElevenLabsAPI

extension LiveInput {
    /// How text is cut into units: a newline ends one; within a line, complete sentences go as they
    /// form (the first flushed at once); a line running past `longUnit` characters goes at its last
    /// clause or word boundary; what is left goes after an idle pause or at the end.
    ///
    /// Linear in the input: each unit is found in a window of at most `window` characters from the
    /// front of what is pending, and what is taken is dropped by moving an index, so a 10 MB pipe
    /// costs the same per character as a sentence (rescanning the whole buffer per unit was quadratic).
    struct Units {
        static let window = 4 * LiveInput.longUnit
        private var chars: [Character] = []
        private var head = 0
        /// The last character read waits for the next read: a combining mark may still join it.
        private var held: Character? = nil

        /// Whether anything but white space is waiting.
        var hasPendingText: Bool {
            chars[head...].contains { !$0.isWhitespace } || (held.map { !$0.isWhitespace } ?? false)
        }

        /// The units `text` completes, each with whether to flush it.
        mutating func add(_ text: String, firstSent: Bool) -> [(String, Bool)] {
            guard !text.isEmpty else { return [] }
            var incoming = Array((held.map(String.init) ?? "") + text)
            // White space cannot usefully take a combining mark, and a newline must end its line now.
            held = incoming.last?.isWhitespace == false ? incoming.popLast() : nil
            chars += incoming
            var out: [(String, Bool)] = []
            var sent = firstSent
            while let (end, next) = nextUnit() {
                let piece = String(chars[head..<end]).trimmingCharacters(in: " \t\r\n")
                head = next
                // The first sentence is flushed at once: it is what the listener waits for.
                if !piece.isEmpty { out.append((piece, !sent || isLineEnd(next))); sent = true }
            }
            if head > 4096 && head * 2 > chars.count { chars.removeFirst(head); head = 0 }
            return out
        }

        private func isLineEnd(_ next: Int) -> Bool { next > 0 && next <= chars.count && chars[next - 1].isNewline }

        /// Where the next unit ends (exclusive) and where the one after starts, or nil when more
        /// text is needed.
        private func nextUnit() -> (Int, Int)? {
            guard head < chars.count else { return nil }
            let limit = min(chars.count, head + Self.window)
            if let nl = chars[head..<limit].firstIndex(where: \.isNewline) { return (nl, nl + 1) }
            let slice = Array(chars[head..<limit])
            var complete = TextChunker.completePrefixLength(slice)
            if complete == 0 && slice.count > LiveInput.longUnit {
                let first = Array(slice.prefix(LiveInput.longUnit + 1))
                complete = TextChunker.completePrefixLength(first, clauses: true)
                if complete == 0, let space = first.dropLast().lastIndex(where: \.isWhitespace) { complete = space + 1 }
                if complete == 0 { complete = LiveInput.longUnit } // one unbroken word
            }
            guard complete > 0 else { return nil }
            return (head + complete, head + complete)
        }

        /// Whatever is left (an idle pause, or the end of input).
        mutating func rest() -> String? {
            var all = String(chars[head...])
            if let held { all.append(held) }
            chars = []; head = 0; held = nil
            let r = all.trimmingCharacters(in: " \t\r\n")
            return r.isEmpty ? nil : r
        }
    }
}

extension String {
    /// Line breaks inside a sentence are layout, not speech.
    func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
