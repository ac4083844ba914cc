// Runs Tests/SandboxTests/validate_responses.py over recorded bodies: the official OpenAPI schemas,
// checked by Python's jsonschema.
import Foundation

public final class SchemaCheck: @unchecked Sendable { // filled on one thread, then run; never shared while filling
    public var lines: [String] = []
    /// The OpenAPI file in Tests/API: the official spec cut to the endpoints the tool uses
    /// (Tests/API/make-subset.py makes it).
    let spec = "elevenlabs-openapi-cli-subset.json"
    public init() {}

    public func add(method: String, path: String, status: Int = 200, contentType: String = "application/json",
                             body: Data, request: Bool = false) throws {
        let parsed = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        var line: [String: Any] = ["method": method, "path": path, "status": status, "content_type": contentType, "body": parsed]
        if request { line["request"] = true }
        lines.append(String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self))
    }

    /// Returns the validator's exit status and output.
    public func run() async throws -> (status: Int32, output: String) {
        guard let api = sharedAPIDirectory else { return (99, "Tests/API not found") }
        let file = try temporaryDirectory().appendingPathComponent("bodies.ndjson")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let script = repositoryRoot.appendingPathComponent("Tests/SandboxTests/validate_responses.py")
        let spec = api.appendingPathComponent(self.spec)
        return try await onThread {
            let (status, out) = try runTool(["python3", script.path, spec.path, file.path])
            return (status, String(decoding: out, as: UTF8.self))
        }
    }
}
