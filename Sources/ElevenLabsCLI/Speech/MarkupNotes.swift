// The core's markup notes (MarkupNote) in words, with the command-line advice that goes with them:
// the core says what happened, the CLI says what to type.
import ElevenLabsAPI

extension MarkupNote {
    var text: String {
        switch self {
        case .breaksConverted(let model, let count):
            return "\(model) takes no <break> tags; \(count) converted to its pause tags ([short pause], [pause], [long pause])"
        case .breaksTooLong(let count):
            return "\(count) <break> tag\(count == 1 ? " is" : "s are") over \(Int(Markup.maxBreakSeconds)) s, the longest pause the service makes"
        case .pauseTagsConverted(let model, let count):
            return "\(model) takes no v3 pause tags; \(count) converted to <break> tags"
        case .audioTagsSpoken(let model, let tags):
            return "\(model) would read \(tags.prefix(3).joined(separator: ", "))\(tags.count > 3 ? ", ..." : "") aloud: audio tags work only with eleven_v3 (-m eleven_v3)"
        case .phonemesUnsupported(let model):
            return "\(model) takes no <phoneme> tags (only eleven_flash_v2, eleven_turbo_v2 and eleven_monolingual_v1 do); "
                + "they are spoken as written: a pronunciation dictionary (--dict) works with every model"
        }
    }
}
