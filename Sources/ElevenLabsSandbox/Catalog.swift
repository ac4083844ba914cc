// What the sandbox knows about the service's fixed data: premade voices with their real ids and
// names, the models with their real per-request limits and cost multipliers, output formats and
// which plans may use them (contract §1, §3, §8, §9).
import Foundation

struct PremadeVoice {
    let id: String
    let name: String
    let gender: String
    let age: String
    let accent: String
    let useCase: String
}

enum Catalog {
    static let premade: [PremadeVoice] = [
        .init(id: "CwhRBWXzGAHq8TQ4Fs17", name: "Roger - Laid-Back, Casual, Resonant", gender: "male", age: "middle_aged", accent: "american", useCase: "conversational"),
        .init(id: "EXAVITQu4vr4xnSDxMaL", name: "Sarah - Mature, Reassuring, Confident", gender: "female", age: "young", accent: "american", useCase: "entertainment_tv"),
        .init(id: "FGY2WhTYpPnrIDTdsKH5", name: "Laura - Enthusiast, Quirky Attitude", gender: "female", age: "young", accent: "american", useCase: "social_media"),
        .init(id: "IKne3meq5aSn9XLyUdCD", name: "Charlie - Deep, Confident, Energetic", gender: "male", age: "young", accent: "australian", useCase: "conversational"),
        .init(id: "JBFqnCBsd6RMkjVDRZzb", name: "George - Warm, Captivating Storyteller", gender: "male", age: "middle_aged", accent: "british", useCase: "narrative_story"),
        .init(id: "N2lVS1w4EtoT3dr4eOWO", name: "Callum - Husky Trickster", gender: "male", age: "middle_aged", accent: "american", useCase: "characters_animation"),
        .init(id: "SAz9YHcvj6GT2YYXdXww", name: "River - Relaxed, Neutral, Informative", gender: "neutral", age: "middle_aged", accent: "american", useCase: "conversational"),
        .init(id: "TX3LPaxmHKxFdv7VOQHJ", name: "Liam - Energetic, Social Media Creator", gender: "male", age: "young", accent: "american", useCase: "social_media"),
        .init(id: "Xb7hH8MSUJpSbSDYk0k2", name: "Alice - Clear, Engaging Educator", gender: "female", age: "middle_aged", accent: "british", useCase: "advertisement"),
        .init(id: "XrExE9yKIg1WjnnlVkGX", name: "Matilda - Knowledgable, Professional", gender: "female", age: "middle_aged", accent: "american", useCase: "informative_educational"),
        .init(id: "bIHbv24MWmeRgasZH58o", name: "Will - Relaxed Optimist", gender: "male", age: "young", accent: "american", useCase: "conversational"),
        .init(id: "cgSgspJ2msm6clMCkdW9", name: "Jessica - Playful, Bright, Warm", gender: "female", age: "young", accent: "american", useCase: "conversational"),
        .init(id: "cjVigY5qzO86Huf0OWal", name: "Eric - Smooth, Trustworthy", gender: "male", age: "middle_aged", accent: "american", useCase: "conversational"),
        .init(id: "iP95p4xoKVk53GoZ742B", name: "Chris - Charming, Down-to-Earth", gender: "male", age: "middle_aged", accent: "american", useCase: "conversational"),
        .init(id: "nPczCjzI2devNBz1zQrb", name: "Brian - Deep, Resonant and Comforting", gender: "male", age: "middle_aged", accent: "american", useCase: "social_media"),
        .init(id: "onwK4e9ZLuTAKqWW03F9", name: "Daniel - Steady Broadcaster", gender: "male", age: "middle_aged", accent: "british", useCase: "informative_educational"),
        .init(id: "pFZP5JQG7iQjIQuC4Bku", name: "Lily - Velvety Actress", gender: "female", age: "middle_aged", accent: "british", useCase: "informative_educational"),
        .init(id: "pqHfZKP75CvOlQylNhV4", name: "Bill - Wise, Mature, Balanced", gender: "male", age: "old", accent: "american", useCase: "advertisement"),
    ]

    struct ModelInfo {
        let id: String
        let name: String
        let limit: Int
        let multiplier: Double
        let languages: [(String, String)]
        /// Flash and Turbo models get twice the plan's concurrency (contract §9).
        var isFast: Bool { id.contains("flash") || id.contains("turbo") }
    }

    static let english = [("en", "English")]
    static let multilingual: [(String, String)] = [
        ("en", "English"), ("ja", "Japanese"), ("zh", "Chinese"), ("de", "German"), ("hi", "Hindi"),
        ("fr", "French"), ("ko", "Korean"), ("pt", "Portuguese"), ("it", "Italian"), ("es", "Spanish"),
        ("id", "Indonesian"), ("nl", "Dutch"), ("tr", "Turkish"), ("fil", "Filipino"), ("pl", "Polish"),
        ("sv", "Swedish"), ("bg", "Bulgarian"), ("ro", "Romanian"), ("ar", "Arabic"), ("cs", "Czech"),
        ("el", "Greek"), ("fi", "Finnish"), ("hr", "Croatian"), ("ms", "Malay"), ("sk", "Slovak"),
        ("da", "Danish"), ("ta", "Tamil"), ("uk", "Ukrainian"), ("ru", "Russian"),
    ]

    static let models: [ModelInfo] = [
        .init(id: "eleven_multilingual_v2", name: "Eleven Multilingual v2", limit: 10_000, multiplier: 1.0, languages: multilingual),
        .init(id: "eleven_v3", name: "Eleven v3", limit: 3_000, multiplier: 1.0, languages: multilingual),
        .init(id: "eleven_flash_v2_5", name: "Eleven Flash v2.5", limit: 40_000, multiplier: 0.5, languages: multilingual + [("hu", "Hungarian"), ("no", "Norwegian"), ("vi", "Vietnamese")]),
        .init(id: "eleven_turbo_v2_5", name: "Eleven Turbo v2.5", limit: 40_000, multiplier: 0.5, languages: multilingual + [("hu", "Hungarian"), ("no", "Norwegian"), ("vi", "Vietnamese")]),
        .init(id: "eleven_flash_v2", name: "Eleven Flash v2", limit: 30_000, multiplier: 0.5, languages: english),
        .init(id: "eleven_turbo_v2", name: "Eleven Turbo v2", limit: 30_000, multiplier: 0.5, languages: english),
    ]
    static let defaultModel = "eleven_multilingual_v2"

    static func model(_ id: String) -> ModelInfo? { models.first { $0.id == id } }

    /// Every REST output format (contract §8). Streaming endpoints take all but wav_*.
    static let restFormats: [String] = [
        "mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128",
        "mp3_44100_192", "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_32000", "pcm_44100",
        "pcm_48000", "ulaw_8000", "alaw_8000", "opus_48000_32", "opus_48000_64", "opus_48000_96",
        "opus_48000_128", "opus_48000_192", "wav_8000", "wav_16000", "wav_22050", "wav_24000",
        "wav_32000", "wav_44100", "wav_48000",
    ]
    static let streamFormats = restFormats.filter { !$0.hasPrefix("wav_") }
    static let webSocketFormats: [String] = [
        "mp3_22050_32", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128", "mp3_44100_192",
        "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_44100", "ulaw_8000", "alaw_8000",
        "opus_48000_32", "opus_48000_64", "opus_48000_96", "opus_48000_128", "opus_48000_192",
    ]

    static let tierRank = ["free": 0, "starter": 1, "creator": 2, "pro": 3, "scale": 4, "business": 5, "enterprise": 6]

    /// The plan a format needs, per the spec's text: 192 kbps MP3 needs Creator, 44.1 kHz PCM/WAV needs Pro.
    static func requiredTier(for format: String) -> (tier: String, label: String)? {
        if format == "mp3_44100_192" { return ("creator", "MP3 at 44100hz 192kbps") }
        if format == "pcm_44100" { return ("pro", "PCM at 44100hz") }
        if format == "wav_44100" { return ("pro", "WAV at 44100hz") }
        return nil
    }

    /// Concurrent requests per plan (contract §9), for Multilingual-class models; fast models double it.
    static let concurrency = ["free": 2, "starter": 3, "creator": 5, "pro": 10, "scale": 15, "business": 15, "enterprise": 30]

    static let characterLimits = ["free": 10_000, "starter": 30_000, "creator": 100_000, "pro": 500_000,
                                  "scale": 2_000_000, "business": 11_000_000, "enterprise": 20_000_000]
    static let voiceLimits = ["free": 3, "starter": 10, "creator": 30, "pro": 160, "scale": 660, "business": 660, "enterprise": 1000]
}
