// The one entry point: a document's bytes and format to a Document. Plain text is not read here
// (speak reads it as it always has); Markdown, HTML and EPUB are.

public enum DocumentReader {
    /// The largest Markdown or HTML file read (as for text), and the largest EPUB archive.
    public static let textLimit = 32 << 20
    public static let archiveLimit = 256 << 20

    public static func read(_ bytes: [UInt8], format: DocumentFormat, preparation: Preparation = Preparation()) throws -> Document {
        switch format {
        case .markdown:
            let text = try utf8(bytes)
            let blocks = try Markdown.blocks(Array(text.utf8), preparation: preparation)
            let title = Chapters.singleTopHeading(blocks)
            return try made(blocks, title: title, preparation: preparation)
        case .html:
            let page = try HTML.blocks(bytes, preparation: preparation)
            let title = page.title ?? Chapters.singleTopHeading(page.blocks)
            return try made(page.blocks, title: title, preparation: preparation)
        case .epub:
            return try EPUB.read(bytes, preparation: preparation)
        case .text:
            let text = try utf8(bytes)
            return try made(text.split(separator: "\n\n").map { .paragraph(String($0)) }, title: nil, preparation: preparation)
        }
    }

    private static func made(_ blocks: [Block], title: String?, preparation: Preparation) throws -> Document {
        let chapters = Chapters.make(blocks, title: title, preparation: preparation)
        guard !chapters.isEmpty else { throw DocumentError("the document holds no text to speak") }
        return Document(title: title, author: nil, chapters: chapters)
    }

    private static func utf8(_ bytes: [UInt8]) throws -> String {
        guard !bytes.contains(0) else { throw DocumentError("the file holds NUL bytes: it is not a text document") }
        guard let s = String(validating: bytes, as: UTF8.self) else { throw DocumentError("the document is not valid UTF-8") }
        return s.hasPrefix("\u{FEFF}") ? String(s.dropFirst()) : s
    }
}
