// Documents the tests read, made by the tests themselves: an EPUB 3 assembled with Python's zipfile.
import Foundation

public struct FixtureError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A small EPUB 3, assembled with Python's zipfile: three XHTML chapters, a nav document (also in
/// the spine, as many books have it) and the OPF with title and author.
public func makeEPUB(in dir: URL, name: String = "book.epub") throws -> URL {
    let path = dir.appendingPathComponent(name)
    func chapter(_ title: String, _ body: String) -> String {
        "<?xml version='1.0' encoding='utf-8'?><html xmlns='http://www.w3.org/1999/xhtml'><head><title>\(title)</title></head><body><h1>\(title)</h1><p>\(body)</p></body></html>"
    }
    let files: [(String, String)] = [
        ("META-INF/container.xml", "<?xml version='1.0'?><container version='1.0' xmlns='urn:oasis:names:tc:opendocument:xmlns:container'><rootfiles><rootfile full-path='OEBPS/content.opf' media-type='application/oebps-package+xml'/></rootfiles></container>"),
        ("OEBPS/content.opf", """
        <?xml version='1.0' encoding='utf-8'?><package xmlns='http://www.idpf.org/2007/opf' version='3.0' unique-identifier='id'>
        <metadata xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:identifier id='id'>urn:uuid:1</dc:identifier><dc:title>A Small Book</dc:title><dc:creator>Ada Writer</dc:creator><dc:language>en</dc:language></metadata>
        <manifest><item id='nav' href='nav.xhtml' media-type='application/xhtml+xml' properties='nav'/>
        <item id='c1' href='text/one.xhtml' media-type='application/xhtml+xml'/><item id='c2' href='text/two%20b.xhtml' media-type='application/xhtml+xml'/>
        <item id='c3' href='text/three.xhtml' media-type='application/xhtml+xml'/></manifest>
        <spine><itemref idref='nav'/><itemref idref='c1'/><itemref idref='c2'/><itemref idref='c3'/></spine></package>
        """),
        ("OEBPS/nav.xhtml", "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml' xmlns:epub='http://www.idpf.org/2007/ops'><body><nav epub:type='toc'><h1>Contents</h1><ol><li><a href='text/one.xhtml'>The Beginning</a></li><li><a href='text/two%20b.xhtml#s'>The Middle</a></li><li><a href='text/three.xhtml'>The End</a></li></ol></nav></body></html>"),
        ("OEBPS/text/one.xhtml", chapter("The Beginning", "It began on a quiet morning.")),
        ("OEBPS/text/two b.xhtml", chapter("Chapter Two", "Things happened in the middle.")),
        ("OEBPS/text/three.xhtml", chapter("The End", "And so it ended.")),
    ]
    var script = "import zipfile\nz = zipfile.ZipFile(\(pythonString(path.path)), 'w', zipfile.ZIP_DEFLATED)\n"
    script += "z.writestr('mimetype', 'application/epub+zip', compress_type=zipfile.ZIP_STORED)\n"
    for (name, content) in files { script += "z.writestr(\(pythonString(name)), \(pythonString(content)))\n" }
    script += "z.close()\n"
    let r = try runTool(["python3", "-c", script])
    guard r.status == 0 else { throw FixtureError(message: "could not make the EPUB fixture: \(String(decoding: r.output, as: UTF8.self))") }
    return path
}

public func pythonString(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'").replacingOccurrences(of: "\n", with: "\\n") + "'"
}
