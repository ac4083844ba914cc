// Advice, in the CLI's own terms (options, commands, environment variables), for the errors the core
// and the audio layer report: they say what happened; this says what to do about it.
import ElevenLabsAPI
import AudioPlayback
import Synchronization

enum Hints {
    /// The next step for an API error, when there is a useful one. `keySource`: where this run's
    /// key came from (RunState), so a refused key's advice points at the right place.
    static func advice(for e: APIError, keySource: String? = nil) -> String? {
        advice(code: e.code, httpStatus: e.httpStatus, permission: e.missingPermission, keySource: keySource)
    }

    static func advice(code: String?, httpStatus: Int, permission: String?, keySource: String? = nil) -> String? {
        switch code {
        case "invalid_api_key"?:
            let from = keySource.map { "the key from \($0)" } ?? "the API key"
            return "\(from) was refused: check it, or create a new one on the ElevenLabs site (your profile, API keys)"
        case "needs_authorization"?:
            return "no API key reached the server: set ELEVENLABS_API_KEY or use --api-key-file"
        case "missing_permissions"?:
            let p = permission.map { "'\($0)'" } ?? "the needed permission"
            return "this key lacks \(p): enable it for the key in the ElevenLabs dashboard, or use another key"
        case "quota_exceeded"?:
            return "your credits are used up: 'elevenlabs user' shows the reset date; a higher plan adds credits"
        case "output_format_not_allowed"?:
            return "pick a format your plan includes with --format (mp3_44100_128 works on every plan)"
        case "too_many_concurrent_requests"?:
            return "too many requests at once for your plan (every program using the key counts): wait and try again; in a batch, lower --jobs"
        case "system_busy"?:
            return "the service is overloaded: try again in a little while"
        case "voice_not_found"?:
            return "'elevenlabs voices' lists the voices you can use"
        default:
            return httpStatus >= 500 ? "the service failed; try again shortly" : nil
        }
    }

    /// For an audio failure: which option changes the outcome.
    static func advice(for e: AudioError) -> String? {
        switch e.kind {
        case .deviceUnavailable: return "choose a device with --device ('--device ?' lists them), or write a file with -o"
        case .formatRejected: return "try --device default, or a plughw: device that converts formats"
        case .deviceFailed, .decode: return nil
        }
    }
}
