// ID3v2.4 tags for an audiobook's MP3: title (TIT2), artist (TPE1), album (TALB), track (TRCK),
// a cover (APIC), and chapters (CHAP frames, each with its title, listed in order by one CTOC), as
// podcast and audiobook players read them. The tag's size never depends on the times in it, so it is
// written before the audio with the times at zero and patched in place once the audio is written.

struct ID3Tag {
    struct ChapterMark { let title: String; var startMS: UInt32; var endMS: UInt32 }

    var title: String?
    var artist: String?
    var album: String?
    /// "3/12".
    var track: String?
    var cover: (bytes: [UInt8], mime: String)?
    var chapters: [ChapterMark] = []

    /// The most chapters one table of contents can list (its count is one byte).
    static let maxChapters = 255

    var bytes: [UInt8] {
        var frames: [UInt8] = []
        if let title { frames += Self.text("TIT2", title) }
        if let artist { frames += Self.text("TPE1", artist) }
        if let album { frames += Self.text("TALB", album) }
        if let track { frames += Self.text("TRCK", track) }
        if let cover {
            // UTF-8 text, the MIME type, picture type 3 (front cover), an empty description, the picture.
            frames += Self.frame("APIC", [3] + Array(cover.mime.utf8) + [0, 3, 0] + cover.bytes)
        }
        if !chapters.isEmpty {
            var toc: [UInt8] = Array("toc".utf8) + [0, 0x03, UInt8(chapters.count)] // top level, ordered
            for i in chapters.indices { toc += Array("ch\(i)".utf8) + [0] }
            toc += Self.text("TIT2", "Chapters")
            frames += Self.frame("CTOC", toc)
            for (i, c) in chapters.enumerated() {
                // Element id, start and end in milliseconds, no byte offsets (0xFFFFFFFF), then the title.
                var body: [UInt8] = Array("ch\(i)".utf8) + [0]
                body += Self.be32(c.startMS) + Self.be32(c.endMS) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
                body += Self.text("TIT2", c.title)
                frames += Self.frame("CHAP", body)
            }
        }
        return Array("ID3".utf8) + [4, 0, 0] + Self.syncsafe(frames.count) + frames
    }

    static func text(_ id: String, _ value: String) -> [UInt8] {
        frame(id, [3] + Array(value.utf8)) // 3: UTF-8
    }

    static func frame(_ id: String, _ body: [UInt8]) -> [UInt8] {
        Array(id.utf8) + syncsafe(body.count) + [0, 0] + body
    }

    /// ID3v2.4 sizes: 28 bits in four bytes of seven.
    static func syncsafe(_ n: Int) -> [UInt8] {
        [UInt8((n >> 21) & 0x7F), UInt8((n >> 14) & 0x7F), UInt8((n >> 7) & 0x7F), UInt8(n & 0x7F)]
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}
