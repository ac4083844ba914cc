// A document as it will be spoken: its title and author, and its chapters, each a title and the
// speech-ready text under it. Readers (Markdown, HTML, EPUB) turn a file into blocks (headings,
// paragraphs, notes); this file cuts the blocks into chapters and words them for the ear: no markup
// characters, no URLs, headings as sentences followed by a pause, list items as sentences.

public struct Document: Sendable, Equatable {
    public var title: String?
    public var author: String?
    public var chapters: [Chapter]

    public init(title: String?, author: String?, chapters: [Chapter]) {
        self.title = title; self.author = author; self.chapters = chapters
    }
}

public struct Chapter: Sendable, Equatable {
    public var title: String
    /// What is sent: paragraphs separated by blank lines, the title first.
    public var text: String

    public init(title: String, text: String) { self.title = title; self.text = text }
}

/// The kinds of document read, by file extension or `--input-format`.
public enum DocumentFormat: String, CaseIterable, Sendable {
    case markdown = "md", html, epub, text

    /// The format a file's name implies; nil for names that say nothing (read as plain text).
    public static func forPath(_ path: String) -> DocumentFormat? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "md", "markdown", "mdown", "mkd": return .markdown
        case "html", "htm", "xhtml": return .html
        case "epub": return .epub
        case "txt", "text": return .text
        default: return nil
        }
    }
}

/// How a document is prepared.
public struct Preparation: Sendable {
    /// Read code blocks and tables instead of a short note that they were skipped.
    public var readCode = false
    /// The heading level that starts a chapter; nil: the top level that occurs more than once.
    public var chapterLevel: Int?

    public init(readCode: Bool = false, chapterLevel: Int? = nil) {
        self.readCode = readCode; self.chapterLevel = chapterLevel
    }
}

/// What went wrong reading a document: a message that names the problem.
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A piece of a document as a reader found it.
enum Block: Equatable {
    case heading(level: Int, text: String)
    case paragraph(String)
    /// A short spoken note in place of something skipped ("Code sample skipped.").
    case note(String)
    /// A chapter boundary a container gives (an EPUB spine item), with its title.
    case chapter(String)
}

enum Chapters {
    /// The pause after a heading, as SSML every model but v3 takes (v3's is converted when sent).
    static let pause = "<break time=\"0.8s\"/>"

    /// Cuts blocks into chapters. Explicit boundaries (`.chapter`, from EPUB) win; otherwise
    /// headings of the chapter level. Text before the first chapter is a chapter of its own, named
    /// after the document, when it says anything.
    static func make(_ blocks: [Block], title: String?, preparation: Preparation) -> [Chapter] {
        let explicit = blocks.contains { if case .chapter = $0 { return true }; return false }
        let level = explicit ? nil : (preparation.chapterLevel ?? defaultLevel(blocks))
        var chapters: [(title: String, paragraphs: [String])] = []
        var current: (title: String, paragraphs: [String])? = nil
        func close() {
            if let c = current, !c.paragraphs.isEmpty { chapters.append(c) }
            current = nil
        }
        for block in blocks {
            switch block {
            case .chapter(let t):
                close()
                current = (t, [])
            case .heading(let l, let t) where l == level:
                close()
                current = (t, [Spoken.sentence(t) + " " + pause])
            case .heading(let l, let t):
                // The document's own title (one top heading above the chapters) names it and is not
                // spoken twice.
                if let level, l < level, t == title, current == nil, chapters.isEmpty { continue }
                if current == nil { current = (title ?? "Introduction", []) }
                current!.paragraphs.append(Spoken.sentence(t) + " " + pause)
            case .paragraph(let p), .note(let p):
                let spoken = Spoken.sentence(p)
                guard !spoken.isEmpty else { continue }
                if current == nil { current = (title ?? "Introduction", []) }
                current!.paragraphs.append(spoken)
            }
        }
        close()
        return chapters.map { Chapter(title: $0.title, text: $0.paragraphs.joined(separator: "\n\n")) }
    }

    /// The top heading level that occurs more than once; else the top level there is; nil for none.
    static func defaultLevel(_ blocks: [Block]) -> Int? {
        var counts: [Int: Int] = [:]
        for case .heading(let l, _) in blocks { counts[l, default: 0] += 1 }
        return counts.keys.sorted().first { counts[$0]! > 1 } ?? counts.keys.min()
    }

    /// The document's title when it is its one top heading (a README's `# name` above `##` sections).
    static func singleTopHeading(_ blocks: [Block]) -> String? {
        let headings = blocks.compactMap { b -> (Int, String)? in if case .heading(let l, let t) = b { return (l, t) }; return nil }
        guard let top = headings.map(\.0).min(), headings.filter({ $0.0 == top }).count == 1,
              headings.contains(where: { $0.0 > top }) else { return nil }
        return headings.first { $0.0 == top }?.1
    }
}

/// Text worded for the ear.
enum Spoken {
    /// Collapses white space, drops what a listener cannot use (URLs, footnote markers, characters
    /// the service would read as markup), and ends the text as a sentence.
    static func sentence(_ raw: String) -> String {
        var words: [Substring] = []
        for word in raw.split(whereSeparator: { $0.isWhitespace }) {
            // A URL in brackets or quotes is a URL too: "(https://...".
            let lower = word.drop { "(\"'<[{“‘".contains($0) }.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("www.") || lower.hasPrefix("mailto:") { continue }
            words.append(word)
        }
        var text = words.joined(separator: " ")
        text = dropFootnoteMarkers(text)
        // `<` `>` would open SSML, `[` `]` an audio tag of eleven_v3: never from a document.
        // `_` joins words in names (eleven_v3): a space reads them as words.
        text = String(text.unicodeScalars.compactMap { u -> Character? in
            u == "_" ? " " : "<>[]{}*`#|".unicodeScalars.contains(u) ? nil : Character(u)
        })
        // What was dropped (a URL, a marker) must not leave its space before the punctuation after
        // it: a word of punctuation alone joins the word before.
        var joined: [String] = []
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            if !joined.isEmpty, word.allSatisfy({ ".,!?;:".contains($0) }) { joined[joined.count - 1] += word } else { joined.append(String(word)) }
        }
        text = joined.joined(separator: " ")
        while let last = text.last, last == "," || last == " " { text.removeLast() }
        guard let last = text.last else { return "" }
        guard text.contains(where: { $0.isLetter || $0.isNumber }) else { return "" }
        return ".!?…:;".contains(last) ? text : text + "."
    }

    /// White space collapsed to single spaces, ends trimmed (titles and paragraphs as found).
    static func clean(_ raw: String) -> String {
        raw.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// `[^1]`, `[^note]`: Markdown footnote references.
    static func dropFootnoteMarkers(_ text: String) -> String {
        guard text.contains("[^") else { return text }
        var out = ""
        var chars = Array(text)[...]
        while let open = chars.indices.first(where: { chars[$0] == "[" && $0 + 1 < chars.endIndex && chars[$0 + 1] == "^" }) {
            out += String(chars[..<open])
            guard let close = chars[open...].firstIndex(of: "]") else { chars = chars[open...]; break }
            chars = chars[(close + 1)...]
        }
        return out + String(chars)
    }
}
