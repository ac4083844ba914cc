// Whether a text holds anything a voice could say. The service bills every code point it is sent,
// spoken or not, so text made only of white space of any script (NBSP, U+3000), format characters
// (U+200B, joiners, BOMs), controls or other default-ignorable code points would be bought as
// silence: every path refuses it before a request, with this one rule.
public enum SpeakableText {
    /// A code point that makes no sound on its own.
    public static func isSilent(_ u: Unicode.Scalar) -> Bool {
        let p = u.properties
        if p.isWhitespace || p.isDefaultIgnorableCodePoint { return true }
        switch p.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .surrogate, .unassigned, .privateUse, .nonspacingMark, .enclosingMark:
            return true
        default:
            // Blank-looking symbols that some editors and chat apps use as "empty" text.
            return u.value == 0x2800 || u.value == 0x3164 || u.value == 0xFFA0 || u.value == 0x115F || u.value == 0x1160
        }
    }

    /// True when at least one code point is not silent.
    public static func hasSpeech<S: Sequence>(_ scalars: S) -> Bool where S.Element == Unicode.Scalar {
        scalars.contains { !isSilent($0) }
    }

    public static func hasSpeech(_ text: String) -> Bool { hasSpeech(text.unicodeScalars) }
}
