// Markdown through libcmark (CommonMark): the parsed tree, walked, gives headings, paragraphs, list
// items as sentences, links as their text, images as their alt text, and a short note for each code
// block or table (`--read-code` reads them). CommonMark has no tables: a paragraph whose lines are
// all pipe rows with a delimiter row second is one (GitHub's form), and `[^1]: ...` paragraphs are
// footnote definitions, dropped with their markers.
import CCmark

enum Markdown {
    static func blocks(_ bytes: [UInt8], preparation: Preparation) throws -> [Block] {
        var error: UnsafePointer<CChar>? = nil
        guard let cm = ccmark_load(&error) else {
            throw DocumentError("cannot load libcmark to read Markdown (\(error.map { String(cString: $0) } ?? "unknown")); install libcmark0.30.2")
        }
        guard let doc = bytes.withUnsafeBufferPointer({ b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { cm.pointee.cmark_parse_document($0, b.count, CMARK_OPT_DEFAULT) }
        }) else { throw DocumentError("libcmark could not parse the document") }
        defer { cm.pointee.cmark_node_free(doc) }
        var walker = Walker(cm: cm.pointee, preparation: preparation)
        walker.blocks(under: doc)
        return walker.out
    }

    struct Walker {
        let cm: ccmark_table
        let preparation: Preparation
        var out: [Block] = []
        /// How deep the walk is: a hostile file can nest quotes or lists thousands deep, and past a
        /// depth no document reaches, the rest is not read (as HTML's walk does).
        var depth = 0
        static let maxDepth = 400

        func children(_ node: OpaquePointer) -> [OpaquePointer] {
            var list: [OpaquePointer] = []
            var c = cm.cmark_node_first_child(node)
            while let n = c { list.append(n); c = cm.cmark_node_next(n) }
            return list
        }

        func literal(_ node: OpaquePointer) -> String { cm.cmark_node_get_literal(node).map { String(cString: $0) } ?? "" }

        mutating func blocks(under node: OpaquePointer) {
            depth += 1
            defer { depth -= 1 }
            guard depth < Self.maxDepth else { return }
            for child in children(node) { block(child) }
        }

        mutating func block(_ node: OpaquePointer) {
            switch cm.cmark_node_get_type(node) {
            case CMARK_NODE_HEADING:
                out.append(.heading(level: Int(cm.cmark_node_get_heading_level(node)), text: inline(node)))
            case CMARK_NODE_PARAGRAPH:
                let text = inline(node)
                if Self.isFootnoteDefinition(text) { return }
                if Self.isTable(rawLines(node)) {
                    out.append(preparation.readCode ? .paragraph(tableText(node)) : .note("Table skipped."))
                } else {
                    out.append(.paragraph(text))
                }
            case CMARK_NODE_CODE_BLOCK:
                if preparation.readCode {
                    for line in literal(node).split(separator: "\n") where !line.allSatisfy(\.isWhitespace) { out.append(.paragraph(String(line))) }
                } else {
                    out.append(.note("Code sample skipped."))
                }
            case CMARK_NODE_LIST, CMARK_NODE_BLOCK_QUOTE, CMARK_NODE_ITEM, CMARK_NODE_DOCUMENT:
                // A list item's paragraphs are its sentences; quotes and nested lists as their blocks.
                blocks(under: node)
            default:
                break // raw HTML blocks and thematic breaks say nothing
            }
        }

        /// The text of inline content: links as their text, images as their alt text, code as
        /// written; raw inline HTML and autolinks (whose text is the URL) say nothing.
        func inline(_ node: OpaquePointer, depth: Int = 0) -> String {
            guard depth < Self.maxDepth else { return "" }
            var s = ""
            for child in children(node) {
                switch cm.cmark_node_get_type(child) {
                case CMARK_NODE_TEXT, CMARK_NODE_CODE: s += literal(child)
                case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: s += " "
                case CMARK_NODE_LINK:
                    // A link is its text; an autolink's text is its address, which is never read.
                    let text = inline(child, depth: depth + 1)
                    let lower = text.lowercased()
                    if !(lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") || lower.hasPrefix("www.")) { s += text }
                case CMARK_NODE_IMAGE, CMARK_NODE_EMPH, CMARK_NODE_STRONG: s += inline(child, depth: depth + 1)
                default: break
                }
            }
            return s
        }

        /// A paragraph's lines as written (text nodes between soft breaks), for the table test.
        func rawLines(_ node: OpaquePointer) -> [String] {
            var lines = [""]
            for child in children(node) {
                switch cm.cmark_node_get_type(child) {
                case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: lines.append("")
                case CMARK_NODE_TEXT: lines[lines.count - 1] += literal(child)
                case CMARK_NODE_CODE: lines[lines.count - 1] += "`" + literal(child) + "`"
                default: lines[lines.count - 1] += inline(child).isEmpty ? "x" : inline(child)
                }
            }
            return lines
        }

        /// A table read aloud: each row's cells as one sentence (the delimiter row left out).
        func tableText(_ node: OpaquePointer) -> String {
            rawLines(node).enumerated().filter { $0.offset != 1 }.map { row in
                row.element.split(separator: "|").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: ", ")
            }.joined(separator: ". ")
        }

        static func isTable(_ lines: [String]) -> Bool {
            guard lines.count >= 2 else { return false }
            let rows = lines.map { $0.trimmingSpaces() }
            guard rows.allSatisfy({ $0.hasPrefix("|") || $0.contains("|") }) else { return false }
            let delimiter = rows[1]
            return delimiter.contains("-") && delimiter.allSatisfy { "|-: ".contains($0) }
        }

        static func isFootnoteDefinition(_ text: String) -> Bool {
            guard text.hasPrefix("[^"), let close = text.firstIndex(of: "]") else { return false }
            return text[text.index(after: close)...].hasPrefix(":")
        }
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
