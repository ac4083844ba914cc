// What each model accepts, where the service says so (contract, "Model rules learned later"):
// request stitching is not available for eleven_v3 (official docs, request-stitching guide), and
// `language_code` is "not supported for multilingual_v2 models" (the OpenAPI description of the
// field: accepted there, and ignored). Models not named take everything. Text to dialogue is an
// eleven_v3 feature: the endpoint's default model, and the only model the dialogue docs name.
public enum ModelRules {
    /// Models whose requests take no stitching fields (previous/next text and request ids).
    static let withoutStitching: Set<String> = ["eleven_v3"]
    /// Models that ignore `language_code`.
    static let withoutLanguageCode: Set<String> = ["eleven_multilingual_v2", "eleven_multilingual_v1", "eleven_monolingual_v1"]

    /// Models the text-to-dialogue endpoints speak with (`/v1/models` does not say; see above).
    static let dialogueModels: Set<String> = ["eleven_v3"]

    public static func supportsDialogue(_ model: String) -> Bool { dialogueModels.contains(model) }

    /// Models the stream-input WebSocket does not serve: eleven_v3 (contract §7.1: "not available on
    /// this WS", a 403 on the upgrade).
    static let withoutStreamInput: Set<String> = ["eleven_v3"]
    public static func supportsStreamInput(_ model: String) -> Bool { !withoutStreamInput.contains(model) }
    public static func supportsStitching(_ model: String) -> Bool { !withoutStitching.contains(model) }
    public static func supportsLanguageCode(_ model: String) -> Bool { !withoutLanguageCode.contains(model) }
}
