// HTML and XHTML through libxml2's HTML parser: headings, paragraphs and list items as they are
// spoken; links as their text, images as their alt text; scripts, styles, navigation, forms and
// footnote references say nothing; tables and preformatted code become a short note unless
// `--read-code`. The same walk reads each XHTML file of an EPUB.
import CXML2

enum HTML {
    static func library() throws -> cxml_table {
        var error: UnsafePointer<CChar>? = nil
        guard let t = cxml_load(&error) else {
            throw DocumentError("cannot load libxml2 to read HTML (\(error.map { String(cString: $0) } ?? "unknown")); install libxml2")
        }
        return t.pointee
    }

    /// The blocks of an HTML page and its `<title>`.
    static func blocks(_ bytes: [UInt8], preparation: Preparation) throws -> (blocks: [Block], title: String?) {
        let xml = try library()
        guard bytes.count < Int(Int32.max) else { throw DocumentError("the page is too large") }
        guard let doc = bytes.withUnsafeBufferPointer({ b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, b.count)) {
                xml.htmlReadMemory($0, Int32(b.count), nil, "UTF-8", Int32(CXML_HTML_OPTIONS))
            }
        }) else { throw DocumentError("libxml2 could not parse the page") }
        defer { xml.xmlFreeDoc(doc) }
        guard let root = xml.xmlDocGetRootElement(doc) else { return ([], nil) }
        var walker = Walker(preparation: preparation)
        walker.walk(root)
        walker.flush()
        return (walker.out, walker.title.map { Spoken.clean($0) }.flatMap { $0.isEmpty ? nil : $0 })
    }

    static func name(_ node: UnsafeMutablePointer<cxml_node>) -> String {
        node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
    }

    static func attribute(_ node: UnsafeMutablePointer<cxml_node>, _ wanted: String) -> String? {
        var a = node.pointee.properties
        while let attr = a {
            if attr.pointee.name.map({ String(cString: $0).lowercased() }) == wanted {
                var s = ""
                var c = attr.pointee.children
                while let t = c { if let content = t.pointee.content { s += String(cString: content) }; c = t.pointee.next }
                return s
            }
            a = attr.pointee.next
        }
        return nil
    }

    /// Elements whose content is never spoken.
    static let silent: Set<String> = ["script", "style", "nav", "noscript", "template", "svg", "math", "head", "form",
                                      "button", "select", "textarea", "iframe", "object", "canvas", "audio", "video"]
    /// Elements that end a paragraph where they start and end.
    static let blockish: Set<String> = ["p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote",
                                        "li", "dt", "dd", "ul", "ol", "dl", "figure", "figcaption", "body", "html",
                                        "address", "details", "summary", "hr", "br", "caption"]

    struct Walker {
        let preparation: Preparation
        var out: [Block] = []
        var text = ""
        var title: String?
        var depth = 0

        mutating func flush() {
            let t = Spoken.clean(text)
            if !t.isEmpty { out.append(.paragraph(t)) }
            text = ""
        }

        mutating func walk(_ node: UnsafeMutablePointer<cxml_node>) {
            // A hostile page can nest elements thousands deep; past a depth no book reaches, stop.
            depth += 1
            defer { depth -= 1 }
            guard depth < 400 else { return }
            switch Int(node.pointee.type) {
            case Int(CXML_TEXT_NODE), Int(CXML_CDATA_SECTION_NODE):
                if let c = node.pointee.content { text += String(cString: c) }
                return
            case Int(CXML_ELEMENT_NODE): break
            default: return
            }
            let tag = HTML.name(node)
            if tag == "head" {
                // Only the title is read from the head.
                var c = node.pointee.children
                while let n = c { if HTML.name(n) == "title" { title = HTML.textContent(n) }; c = n.pointee.next }
                return
            }
            if HTML.silent.contains(tag) { return }
            if tag == "img" {
                if let alt = HTML.attribute(node, "alt"), !alt.isEmpty { text += " " + alt + " " }
                return
            }
            // Footnote references: <a href="#fn1">, role="doc-noteref", and a lone number in <sup>.
            if tag == "a", let href = HTML.attribute(node, "href"), href.hasPrefix("#fn") || href.hasPrefix("#footnote") { return }
            if HTML.attribute(node, "role") == "doc-noteref" || HTML.attribute(node, "epub:type") == "noteref" { return }
            if tag == "sup", HTML.textContent(node).allSatisfy({ $0.isNumber || "[]()*†‡".contains($0) }) { return }
            if let level = tag.count == 2 && tag.first == "h" ? Int(String(tag.last!)) : nil, (1...6).contains(level) {
                flush()
                out.append(.heading(level: level, text: Spoken.clean(HTML.textContent(node))))
                return
            }
            if tag == "pre" || tag == "table" {
                flush()
                if preparation.readCode {
                    for line in HTML.textContent(node).split(separator: "\n") where !line.allSatisfy(\.isWhitespace) { out.append(.paragraph(String(line))) }
                } else {
                    out.append(.note(tag == "pre" ? "Code sample skipped." : "Table skipped."))
                }
                return
            }
            let isBlock = HTML.blockish.contains(tag)
            if isBlock { flush() }
            var child = node.pointee.children
            while let c = child { walk(c); child = c.pointee.next }
            if isBlock { flush() }
        }
    }

    /// All text under a node, as written.
    static func textContent(_ node: UnsafeMutablePointer<cxml_node>) -> String {
        var s = ""
        var stack: [UnsafeMutablePointer<cxml_node>] = []
        var child = node.pointee.children
        while let c = child { stack.append(c); child = c.pointee.next }
        stack.reverse()
        while let n = stack.popLast() {
            if Int(n.pointee.type) == Int(CXML_TEXT_NODE) || Int(n.pointee.type) == Int(CXML_CDATA_SECTION_NODE) {
                if let c = n.pointee.content { s += String(cString: c) }
            } else if Int(n.pointee.type) == Int(CXML_ELEMENT_NODE), !silent.contains(name(n)) {
                if name(n) == "br" { s += "\n" }
                var kids: [UnsafeMutablePointer<cxml_node>] = []
                var k = n.pointee.children
                while let c = k { kids.append(c); k = c.pointee.next }
                stack.append(contentsOf: kids.reversed())
            }
        }
        return s
    }
}
