// How every error is shown, in one place: its exit code, its one-line message and its hint. The
// exit status (ExitCode.of), the message on stderr (Output.report) and a batch item's failure in
// the manifest all come from here, so the three can never sort an error differently.
import ElevenLabsAPI
import AudioPlayback

struct ErrorPresentation {
    let exit: ExitCode
    let message: String
    let hint: String?
    /// For a usage error: the command whose help to point to (nil inside: the top-level help).
    var usage: String?? = nil

    /// `keySource`: where the run's key came from, for the advice on a refused key.
    init(_ error: Error, keySource: String? = nil) {
        switch error {
        case let e as UsageError:
            (exit, message, hint, usage) = (.usage, e.message, e.hint, .some(e.command))
        case let e as CLIError: (exit, message, hint) = (e.exitCode, e.message, e.hint)
        case let e as ConfigurationError:
            let code: ExitCode
            switch e.category {
            case .credentials: code = .auth
            case .file: code = .input
            case .value: code = .usage
            }
            (exit, message, hint) = (code, e.message, e.hint)
        case let e as APIError:
            let code: ExitCode
            switch e.kind {
            case .authentication, .permission: code = .auth
            case .quota: code = .quota
            case .rateLimited, .server: code = .busy
            default: code = .failure
            }
            (exit, message, hint) = (code, e.message + (e.code.map { " (HTTP \(e.httpStatus), \($0))" } ?? " (HTTP \(e.httpStatus))"), Hints.advice(for: e, keySource: keySource))
        case let e as StreamInputError:
            let code: ExitCode
            switch e.kind {
            case .authentication, .permission: code = .auth
            case .quota: code = .quota
            default: code = .failure
            }
            // The same advice as for the REST code of the same name.
            (exit, message, hint) = (code, "\(e)", Hints.advice(code: e.code, httpStatus: 0, permission: nil, keySource: keySource))
        case let e as CurlError:
            (exit, message, hint) = (.network, "network error: \(e.message)",
                                     Output.timeoutHint(e.timeout) ?? "check your connection, proxy settings (https_proxy) and --base-url")
        case is WebSocketError: (exit, message, hint) = (.network, "\(error)", nil)
        case let e as CurlUnavailable:
            (exit, message, hint) = (.network, "\(e)", "install libcurl 4: sudo apt-get install libcurl4 (Debian, Ubuntu), or your system's libcurl package")
        case let e as AudioStreamBroken:
            let detail = (e.underlying as? CurlError)?.message ?? "\(e.underlying)"
            (exit, message, hint) = (.network, "the audio stream broke off: \(detail); it was not requested again, since it may have been charged",
                                     "run the command again: no file was left half-written, and parts that arrived whole come from the audio cache, free" +
                                        ((e.underlying as? CurlError).flatMap { Output.timeoutHint($0.timeout) }.map { "; \($0)" } ?? ""))
        case let e as AudioError: (exit, message, hint) = (.audio, e.message, Hints.advice(for: e))
        case let e as Interrupted: (exit, message, hint) = (ExitCode.forSignal(e.signal), "interrupted", nil)
        case is TransferAborted: (exit, message, hint) = (.interrupted, "interrupted", nil)
        case let e as FileError: (exit, message, hint) = (.input, "\(e)", nil)
        case let e as InvalidID: (exit, message, hint) = (.usage, "\(e)", "copy the id from 'elevenlabs history' or 'elevenlabs voices'")
        case let e as ResponseFormatError: (exit, message, hint) = (.failure, "\(e)", nil)
        default: (exit, message, hint) = (.failure, "\(error)", nil)
        }
    }
}
