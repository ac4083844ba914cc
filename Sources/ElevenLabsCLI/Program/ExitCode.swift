// The exit codes, documented in `--help`, the man page and the README (which error gets which is
// ErrorPresentation's).
import ElevenLabsAPI
import AudioPlayback

public enum ExitCode: Int32, Sendable, CaseIterable {
    case ok = 0
    case failure = 1
    case usage = 2
    case input = 3
    case auth = 4
    case quota = 5
    case busy = 6
    case network = 7
    case audio = 8
    case hangup = 129
    case interrupted = 130
    case quit = 131
    case user1 = 138
    case user2 = 140
    case alarm = 142
    case terminated = 143

    /// 128 + the signal's number, for the signals that stop the program cleanly.
    static func forSignal(_ signal: Int32) -> ExitCode {
        ExitCode(rawValue: 128 + signal) ?? .interrupted
    }

    public var meaning: String {
        switch self {
        case .ok: return "success (also --help, --version, and a reader that closed stdout early)"
        case .failure: return "the API refused the request for another reason, or an internal error"
        case .usage: return "bad command line or option value"
        case .input: return "a local file could not be read or written, or the text is unusable"
        case .auth: return "no API key, or the key was refused or lacks a permission"
        case .quota: return "out of credits, or the plan does not include the feature or format"
        case .busy: return "the service stayed busy or failing (429, 5xx) after retries"
        case .network: return "could not connect, the connection failed or stalled, or no libcurl"
        case .audio: return "the audio device or decoder failed"
        case .hangup: return "hung up (SIGHUP: the terminal closed)"
        case .quit: return "quit (SIGQUIT, Ctrl-\\)"
        case .user1: return "stopped by SIGUSR1"
        case .user2: return "stopped by SIGUSR2"
        case .alarm: return "stopped by SIGALRM (a time limit ran out)"
        case .interrupted: return "interrupted (SIGINT, Ctrl-C)"
        case .terminated: return "terminated (SIGTERM)"
        }
    }

    /// The exit code of any error (ErrorPresentation decides it, with the message and the hint).
    public static func of(_ error: Error) -> ExitCode { ErrorPresentation(error).exit }
}

/// An error the CLI raises itself, with its exit code and an optional hint line.
public struct CLIError: Error, CustomStringConvertible {
    public let message: String
    public let hint: String?
    public let exitCode: ExitCode
    public init(_ message: String, hint: String? = nil, exit: ExitCode) {
        self.message = message; self.hint = hint; self.exitCode = exit
    }
    public var description: String { message }
}

/// A bad command line: printed with a pointer to `--help`.
public struct UsageError: Error, CustomStringConvertible {
    public let message: String
    public let hint: String?
    public let command: String?
    public init(_ message: String, hint: String? = nil, command: String? = nil) {
        self.message = message; self.hint = hint; self.command = command
    }
    public var description: String { message }
}
