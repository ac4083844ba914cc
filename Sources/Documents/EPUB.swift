// EPUB: the ZIP container through libzip, META-INF/container.xml to the package (OPF), its metadata
// (title, author), manifest and spine through libxml2, and each spine item's XHTML read as HTML, in
// spine order, one chapter each. Chapter titles come from the book's table of contents (EPUB 3's nav
// document, else EPUB 2's NCX), else the item's first heading. Every entry read is bounded, so a
// ZIP bomb cannot fill memory.
import CZip
import CXML2

enum EPUB {
    /// The most one entry of the archive may expand to, and all of them together.
    static let entryLimit = 64 << 20
    static let totalLimit = 512 << 20

    static func read(_ bytes: [UInt8], preparation: Preparation) throws -> Document {
        var archive = try Archive(bytes)
        defer { archive.close() }
        let container = try archive.entry("META-INF/container.xml")
        guard let opfPath = try XML.elements(container, named: "rootfile").first?.attributes["full-path"] else {
            throw DocumentError("the EPUB's META-INF/container.xml names no package (rootfile)")
        }
        let base = opfPath.split(separator: "/").dropLast().joined(separator: "/")
        func resolve(_ href: String) -> String {
            let path = percentDecoded(String(href.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""))
            return normalised(base.isEmpty ? path : base + "/" + path)
        }
        let opf = try archive.entry(opfPath)
        let elements = try XML.elements(opf, named: nil)
        let title = elements.first { $0.name == "title" }.map { Spoken.clean($0.text) }
        let author = elements.first { $0.name == "creator" }.map { Spoken.clean($0.text) }
        var manifest: [String: (href: String, type: String, properties: String)] = [:]
        for item in elements where item.name == "item" {
            if let id = item.attributes["id"], let href = item.attributes["href"] {
                manifest[id] = (resolve(href), item.attributes["media-type"] ?? "", item.attributes["properties"] ?? "")
            }
        }
        let spine = elements.filter { $0.name == "itemref" && $0.attributes["linear"] != "no" }.compactMap { $0.attributes["idref"] }
        guard !spine.isEmpty else { throw DocumentError("the EPUB's spine lists nothing to read") }

        // The table of contents: file → title (the first entry naming a file wins).
        var toc: [String: String] = [:]
        let tocBase = { (path: String) in path.split(separator: "/").dropLast().joined(separator: "/") }
        if let nav = manifest.values.first(where: { $0.properties.split(separator: " ").contains("nav") }) {
            for link in try XML.elements(try archive.entry(nav.href), named: "a") {
                guard let href = link.attributes["href"] else { continue }
                let dir = tocBase(nav.href)
                let file = normalised(percentDecoded(String(href.split(separator: "#").first ?? "")).prefixed(dir))
                if toc[file] == nil { toc[file] = Spoken.clean(link.text) }
            }
        } else if let ncx = manifest.values.first(where: { $0.type == "application/x-dtbncx+xml" }) {
            let nodes = try XML.elements(try archive.entry(ncx.href), named: nil)
            var pendingLabel: String?
            for n in nodes {
                if n.name == "text", pendingLabel == nil { pendingLabel = Spoken.clean(n.text) }
                if n.name == "content", let src = n.attributes["src"] {
                    let file = normalised(percentDecoded(String(src.split(separator: "#").first ?? "")).prefixed(tocBase(ncx.href)))
                    if toc[file] == nil, let label = pendingLabel { toc[file] = label }
                    pendingLabel = nil
                }
            }
        }

        var blocks: [Block] = []
        for (n, id) in spine.enumerated() {
            guard let item = manifest[id], item.type.contains("html") || item.href.hasSuffix("html") else { continue }
            // The nav document in the spine is the book's own contents page: a listener skips it.
            if item.properties.split(separator: " ").contains("nav") { continue }
            let page = try HTML.blocks(try archive.entry(item.href), preparation: preparation)
            let firstHeading = page.blocks.lazy.compactMap { b -> String? in if case .heading(_, let t) = b { return t }; return nil }.first
            let chapterTitle = toc[item.href] ?? firstHeading ?? page.title ?? "Chapter \(n + 1)"
            blocks.append(.chapter(chapterTitle))
            var titleSpoken = false
            for b in page.blocks {
                // The heading that is the chapter's title is spoken as the chapter's opening.
                if case .heading(_, let t) = b, t == chapterTitle, !titleSpoken { titleSpoken = true }
                blocks.append(b)
            }
            if !titleSpoken { blocks.insert(.heading(level: 1, text: chapterTitle), at: blocks.count - page.blocks.count) }
        }
        let chapters = Chapters.make(blocks, title: title, preparation: preparation)
        guard !chapters.isEmpty else { throw DocumentError("the EPUB holds no text to speak") }
        return Document(title: title, author: author, chapters: chapters)
    }

    static func percentDecoded(_ s: String) -> String {
        var bytes: [UInt8] = []
        var u = Array(s.utf8)[...]
        while let b = u.first {
            if b == UInt8(ascii: "%"), u.count >= 3, let v = UInt8(String(decoding: u.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v); u = u.dropFirst(3)
            } else { bytes.append(b); u = u.dropFirst() }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `a/./b/../c` → `a/c`; never climbs above the archive's root.
    static func normalised(_ path: String) -> String {
        var parts: [Substring] = []
        for p in path.split(separator: "/") {
            if p == "." { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return parts.joined(separator: "/")
    }

    /// The archive, held in memory, with bounded reads of its entries.
    struct Archive {
        let zip: czip_table
        let handle: OpaquePointer
        var read = 0
        private let buffer: UnsafeMutableRawBufferPointer

        init(_ bytes: [UInt8]) throws {
            var error: UnsafePointer<CChar>? = nil
            guard let z = czip_load(&error) else {
                throw DocumentError("cannot load libzip to read the EPUB (\(error.map { String(cString: $0) } ?? "unknown")); install libzip4")
            }
            let lib = z.pointee
            // libzip reads from this copy for the archive's whole life.
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
            bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
            var ze = zip_error_t()
            lib.zip_error_init(&ze)
            defer { lib.zip_error_fini(&ze) }
            func reason() -> String { lib.zip_error_strerror(&ze).map { String(cString: $0) } ?? "unknown error" }
            guard let source = lib.zip_source_buffer_create(copy.baseAddress, zip_uint64_t(bytes.count), 0, &ze) else {
                copy.deallocate()
                throw DocumentError("cannot read the EPUB: \(reason())")
            }
            guard let h = lib.zip_open_from_source(source, ZIP_RDONLY, &ze) else {
                lib.zip_source_free(source)
                copy.deallocate()
                throw DocumentError("the file is not an EPUB (not a ZIP archive): \(reason())")
            }
            zip = lib; handle = h; buffer = copy
        }

        func close() {
            zip.zip_discard(handle)
            buffer.deallocate()
        }

        mutating func entry(_ name: String) throws -> [UInt8] {
            let index = zip.zip_name_locate(handle, name, 0)
            guard index >= 0 else { throw DocumentError("the EPUB lacks \(name)") }
            var st = zip_stat_t()
            guard zip.zip_stat_index(handle, zip_uint64_t(index), 0, &st) == 0 else { throw DocumentError("cannot read \(name) in the EPUB") }
            if czip_stat_has_size(&st) != 0, st.size > zip_uint64_t(EPUB.entryLimit) {
                throw DocumentError("\(name) in the EPUB would expand to more than \(EPUB.entryLimit >> 20) MiB")
            }
            guard let file = zip.zip_fopen_index(handle, zip_uint64_t(index), 0) else { throw DocumentError("cannot open \(name) in the EPUB") }
            defer { _ = zip.zip_fclose(file) }
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { zip.zip_fread(file, $0.baseAddress!, zip_uint64_t($0.count)) }
                guard n >= 0 else { throw DocumentError("\(name) in the EPUB is damaged") }
                if n == 0 { break }
                out += chunk[..<Int(n)]
                // The size in the directory can lie: the bound holds on what really comes out.
                guard out.count <= EPUB.entryLimit, read + out.count <= EPUB.totalLimit else {
                    throw DocumentError("the EPUB expands to more than a book holds (a damaged or hostile archive)")
                }
            }
            read += out.count
            return out
        }
    }
}

extension String {
    /// `path` under `dir` (when there is one).
    func prefixed(_ dir: String) -> String { dir.isEmpty ? self : dir + "/" + self }
}

/// The elements of an XML document (its local names, without namespace prefixes), in order, with
/// their attributes and text: enough for container.xml, the OPF, the NCX and the nav document.
enum XML {
    struct Element {
        let name: String
        let attributes: [String: String]
        let text: String
    }

    static func elements(_ bytes: [UInt8], named wanted: String?) throws -> [Element] {
        let xml = try HTML.library()
        guard bytes.count < Int(Int32.max) else { throw DocumentError("an XML file of the EPUB is too large") }
        guard let doc = bytes.withUnsafeBufferPointer({ b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, b.count)) {
                xml.xmlReadMemory($0, Int32(b.count), nil, nil, Int32(CXML_XML_OPTIONS))
            }
        }) else { throw DocumentError("an XML file of the EPUB cannot be parsed") }
        defer { xml.xmlFreeDoc(doc) }
        guard let root = xml.xmlDocGetRootElement(doc) else { return [] }
        var out: [Element] = []
        var stack = [root]
        var visited = 0
        while let n = stack.popLast() {
            visited += 1
            guard visited < 1_000_000 else { break }
            guard Int(n.pointee.type) == Int(CXML_ELEMENT_NODE) else { continue }
            let name = HTML.name(n)
            let local = String(name.split(separator: ":").last ?? Substring(name))
            if wanted == nil || local == wanted {
                var attributes: [String: String] = [:]
                var a = n.pointee.properties
                while let attr = a {
                    if let an = attr.pointee.name { attributes[String(cString: an)] = HTML.attribute(n, String(cString: an).lowercased()) }
                    a = attr.pointee.next
                }
                out.append(Element(name: local, attributes: attributes, text: HTML.textContent(n)))
            }
            var kids: [UnsafeMutablePointer<cxml_node>] = []
            var k = n.pointee.children
            while let c = k { kids.append(c); k = c.pointee.next }
            stack.append(contentsOf: kids.reversed())
        }
        return out
    }
}
