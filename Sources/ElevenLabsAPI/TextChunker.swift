// Splits text longer than a model's per-request limit into requests, at the most natural boundary
// that fits: paragraph, then sentence, then clause, then word, and only then anywhere. Markup such as
// `<break time="1s"/>` and audio tags such as `[laughs]` are never cut. Languages written without
// spaces split at their own punctuation (。！？ for sentences, ，、；： for clauses). The first chunk is
// short, a sentence or two, so the first sound comes as quickly as for a short text; later chunks grow
// toward the limit.
//
// Every length here is in Unicode scalars (code points), the unit the service counts and bills: a
// Devanagari conjunct or an emoji ZWJ sequence is one `Character` but several scalars, so planning in
// `Character`s sent requests several times over the model's limit. Cuts still fall between
// `Character`s (a grapheme is never split), except a grapheme so long it could not fit on its own
// (stacked combining marks), which is first broken into pieces of `maxUnitScalars`.
public enum TextChunker {
    /// Characters aimed at for the first chunk; growth doubles it per chunk up to the limit.
    public static let firstChunkTarget = 250

    /// The requests for a text held whole: itself when it fits the model's limit (or there is none),
    /// else split as below.
    public static func requests(_ text: String, limit: Int?) -> [String] {
        guard let limit, text.unicodeScalars.count > limit else { return [text] }
        return split(text, limit: limit)
    }

    /// The longest grapheme kept whole; a longer one (only stacked combining marks make one) is cut.
    public static let maxUnitScalars = 32

    /// The text as cut units: its `Character`s, a grapheme longer than `maxUnitScalars` broken up.
    static func units<S: Sequence>(_ text: S) -> [Character] where S.Element == Character {
        var out: [Character] = []
        for c in text {
            let scalars = c.unicodeScalars
            if scalars.count <= maxUnitScalars { out.append(c); continue }
            var piece = String.UnicodeScalarView()
            for u in scalars {
                piece.append(u)
                if piece.count == maxUnitScalars { out.append(Character(String(piece))); piece = .init() }
            }
            if !piece.isEmpty { out.append(Character(String(piece))) }
        }
        return out
    }

    /// The text of `chars`, built from their UTF-8 bytes at once: String(chars) appends Character by
    /// Character, 58 million instructions over a 60,000-character text's parts.
    static func text(_ chars: ArraySlice<Character>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(chars.count + chars.count / 4)
        for c in chars { bytes.append(contentsOf: c.utf8) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The furthest end index after `start` whose units hold at most `budget` scalars (at least one
    /// unit past `start`, as no unit is longer than a limit allows). `widths[i]` is unit i's scalar
    /// count, worked out once rather than at every call.
    static func end(widths: [Int], from start: Int, scalars budget: Int) -> Int {
        var i = start, used = 0
        while i < widths.count {
            if used + widths[i] > budget { break }
            used += widths[i]
            i += 1
        }
        return max(i, min(start + 1, widths.count))
    }

    static func scalarCount(_ chars: ArraySlice<Character>) -> Int {
        chars.reduce(0) { $0 + $1.unicodeScalars.count }
    }

    public static func split(_ text: String, limit: Int, firstTarget: Int = firstChunkTarget) -> [String] {
        precondition(limit > 0)
        let chars = units(text)
        let widths = chars.map { $0.unicodeScalars.count }
        var chunks: [String] = []
        var start = 0
        var target = min(limit, firstTarget)
        while start < chars.count {
            // Leading white space belongs to no chunk.
            while start < chars.count && chars[start].isWhitespace { start += 1 }
            if start >= chars.count { break }
            let soft = end(widths: widths, from: start, scalars: target)
            if soft >= chars.count {
                chunks.append(TextChunker.text(chars[start...]).trimmingTrailingWhitespace())
                break
            }
            let stop = cut(chars, from: start, upTo: soft, hardLimit: end(widths: widths, from: start, scalars: limit))
            let piece = TextChunker.text(chars[start..<stop]).trimmingTrailingWhitespace()
            if !piece.isEmpty { chunks.append(piece) }
            start = stop
            target = min(limit, target * 2)
        }
        return chunks
    }

    /// Where to end a chunk that starts at `start` and should not pass `soft` (and never `hard`);
    /// both are unit indices, already worked out from scalar budgets.
    static func cut(_ chars: [Character], from start: Int, upTo soft: Int, hardLimit hard: Int) -> Int {
        let protected = markupRanges(chars, from: start, to: min(chars.count, hard))
        func allowed(_ i: Int) -> Bool { !protected.contains { $0.contains(i) } }
        // Levels from the most to the least natural; a boundary `i` means the chunk ends before index i.
        let levels: [(Int) -> Bool] = [
            { i in i >= 2 && chars[i - 1].isNewline && chars[i - 2].isNewline },                 // paragraph
            { i in isSentenceEnd(chars, i) },                                                       // sentence
            { i in isClauseEnd(chars, i) },                                                         // clause
            { i in chars[i - 1].isWhitespace },                                                     // word
        ]
        // A boundary in the first third of the window would make a needlessly small chunk; accept one
        // there only when nothing better exists.
        let minimum = start + max(1, (soft - start) / 3)
        for floor in [minimum, start + 1] {
            for level in levels {
                var i = min(soft, chars.count)
                while i >= floor {
                    if i < chars.count && level(i) && allowed(i) { return i }
                    i -= 1
                }
            }
        }
        // Nothing natural fits: cut at the window's end, moved back out of any markup.
        var i = min(soft, chars.count)
        while i > start + 1 && !allowed(i) { i -= 1 }
        return i
    }

    /// How much of `text` is complete sentences (or clauses, when `clauses` is set): the count of
    /// characters up to the last boundary, 0 when there is none yet. Live input is sent in such pieces.
    public static func completePrefixLength(_ text: String, clauses: Bool = false) -> Int {
        completePrefixLength(Array(text), clauses: clauses)
    }

    public static func completePrefixLength(_ chars: [Character], clauses: Bool = false) -> Int {
        let protected = markupRanges(chars, from: 0, to: chars.count)
        var i = chars.count
        while i > 0 {
            let boundary = isSentenceEnd(chars, i) || (clauses && isClauseEnd(chars, i))
            // A boundary right at the end is only certain once what follows has arrived (a space).
            if boundary && !protected.contains(where: { $0.contains(i) }) && (i < chars.count || chars[i - 1].isWhitespace) {
                return i
            }
            i -= 1
        }
        return 0
    }

    static let sentenceEnders: Set<Character> = [".", "!", "?", "…", "。", "！", "？", "؟", "।"]
    static let clauseEnders: Set<Character> = [",", ";", ":", "—", "–", "，", "、", "；", "：", "،"]
    static let closers: Set<Character> = ["\"", "'", "”", "’", ")", "]", "」", "』", "）"]

    /// A sentence ends before `i`: after an ender (and any closing quotes), then white space, or
    /// directly for scripts without spaces.
    static func isSentenceEnd(_ chars: [Character], _ i: Int) -> Bool {
        endsWith(sentenceEnders, chars, i)
    }

    static func isClauseEnd(_ chars: [Character], _ i: Int) -> Bool {
        endsWith(clauseEnders, chars, i)
    }

    private static func endsWith(_ enders: Set<Character>, _ chars: [Character], _ i: Int) -> Bool {
        guard i >= 1 else { return false }
        var j = i - 1
        // Split after the white space that follows the punctuation, so the next chunk starts clean.
        if chars[j].isWhitespace {
            while j >= 0 && chars[j].isWhitespace { j -= 1 }
            guard j >= 0 else { return false }
            while j >= 0 && closers.contains(chars[j]) { j -= 1 }
            return j >= 0 && enders.contains(chars[j]) && !(chars[j] == "." && j >= 1 && chars[j - 1].isNumber && i < chars.count && chars[i].isNumber)
        }
        // Scripts without spaces: right after the punctuation itself.
        var k = j
        while k >= 0 && closers.contains(chars[k]) { k -= 1 }
        return k >= 0 && enders.contains(chars[k]) && chars[k].unicodeScalars.first!.value >= 0x3000
    }

    /// `<...>` tags and `[...]` audio tags between `from` and `to`: positions strictly inside them
    /// (after the opening bracket, up to and including the closing one) are not allowed as cuts.
    static func markupRanges(_ chars: [Character], from: Int, to: Int) -> [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        var i = max(0, from - 200) // a tag may have opened before the chunk's window
        while i < min(chars.count, to + 200) {
            let open = chars[i]
            if open == "<" || open == "[" {
                let close: Character = open == "<" ? ">" : "]"
                var j = i + 1
                while j < chars.count && j - i < 200 && chars[j] != close && chars[j] != open { j += 1 }
                if j < chars.count && chars[j] == close {
                    ranges.append((i + 1)...j)
                    i = j + 1
                    continue
                }
            }
            i += 1
        }
        return ranges
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}

/// The same cuts as `TextChunker.split`, made from text that arrives in blocks, holding only a window
/// of it (the limit plus look-ahead and the markup look-behind): a text of any length is spoken
/// with flat memory. `read` returns the next block of text, or nil at the end.
public final class StreamingChunker {
    private let read: () throws -> String?
    private let limit: Int
    private var target: Int
    private var buffer: [Character] = []
    /// Each unit's scalar count, beside `buffer`: the budgets are in scalars.
    private var widths: [Int] = []
    private var start = 0
    private var atEnd = false
    /// The last character of a block waits for the next one: a combining mark may still join it.
    private var held = ""

    public init(limit: Int, firstTarget: Int = TextChunker.firstChunkTarget, read: @escaping () throws -> String?) {
        precondition(limit > 0)
        self.limit = limit
        self.target = min(limit, firstTarget)
        self.read = read
    }

    /// The next request's text, or nil when the text is used up.
    public func next() throws -> String? {
        while true {
            try fill(upTo: start + limit + 400)
            while start < buffer.count && buffer[start].isWhitespace { start += 1 }
            if start >= buffer.count {
                if atEnd { return nil }
                continue
            }
            var piece: String
            // The window holds at least `limit` units past `start`, so at least `limit` scalars.
            let soft = TextChunker.end(widths: widths, from: start, scalars: target)
            if atEnd && soft >= buffer.count {
                piece = TextChunker.text(buffer[start...])
                start = buffer.count
            } else {
                let hard = TextChunker.end(widths: widths, from: start, scalars: limit)
                let end = TextChunker.cut(buffer, from: start, upTo: soft, hardLimit: hard)
                piece = TextChunker.text(buffer[start..<end])
                start = end
                target = min(limit, target * 2)
            }
            // Keep 200 characters behind the cut: markup that opened there still protects what follows.
            if start > 4 * limit + 400 {
                buffer.removeFirst(start - 200)
                widths.removeFirst(start - 200)
                start = 200
            }
            piece = piece.trimmingTrailingWhitespace()
            if !piece.isEmpty { return piece }
        }
    }

    private func append(_ units: [Character]) {
        buffer += units
        widths += units.map { $0.unicodeScalars.count }
    }

    private func fill(upTo wanted: Int) throws {
        while !atEnd && buffer.count < wanted {
            if let block = try read() {
                var chars = Array(held + block)
                held = chars.popLast().map(String.init) ?? ""
                append(TextChunker.units(chars))
            } else {
                atEnd = true
                append(TextChunker.units(held))
                held = ""
            }
        }
    }
}
