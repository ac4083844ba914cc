// Asking before something that cannot be undone: on a terminal, a y/N question; elsewhere, a script
// must say --yes, so nothing is deleted by accident from a pipe.
#if canImport(Glibc)
import Glibc
#endif

enum Prompt {
    /// `action` completes "Delete ...?" and "refusing to delete ...".
    static func confirm(delete action: String, _ inv: Invocation, _ context: Context) throws -> Bool {
        if inv.flag(.yes) { return true }
        guard context.stdinIsTerminal else {
            throw UsageError("refusing to delete \(action) without --yes when standard input is not a terminal", command: inv.command)
        }
        return ask("Delete \(action)?", context)
    }

    /// A y/N question on the terminal; anything but y or yes (or the end of input) is no. `fd`: where
    /// the answer is read (standard input, or the controlling terminal when the text is piped).
    static func ask(_ question: String, _ context: Context, fd: Int32? = nil) -> Bool {
        context.err("\(question) [y/N] ")
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd ?? context.stdinFD, &byte, 1) == 1 && byte != 10 { line.append(byte) }
        let answer = String(decoding: line, as: UTF8.self).trimmingCharacters(in: " \t\r").lowercased()
        return answer == "y" || answer == "yes"
    }

    /// Asks on the controlling terminal (`/dev/tty`), for when standard input carries the text but a
    /// person is at the terminal (stderr is one); nil when there is no terminal to ask on.
    static func askOnTerminal(_ question: String, _ context: Context) -> Bool? {
        guard context.stderrIsTerminal else { return nil }
        let tty = open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard tty >= 0 else { return nil }
        defer { close(tty) }
        return ask(question, context, fd: tty)
    }
}
