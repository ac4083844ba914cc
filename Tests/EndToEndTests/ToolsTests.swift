// The programs and Python modules the suite runs beside the binaries: one check that names every
// missing one with the package that provides it, so a bare machine fails here, clearly, first.
import Testing
import Foundation
import TestSupport

@Suite struct ToolsTests {
    @Test func everyExternalToolTheTestsUseIsInstalled() async throws {
        let missing = externalTools.filter { toolPath($0.tool) == nil }.map { "\($0.tool) (apt-get install \($0.package))" }
        #expect(missing.isEmpty, "missing test tools: \(missing.joined(separator: ", ")); .ci/setup installs them all")
        if toolPath("python3") != nil {
            for (module, install) in pythonModules {
                let r = try await tool(["python3", "-c", "import \(module)"])
                #expect(r.status == 0, "the Python module '\(module)' is missing: \(install)")
            }
        }
        #expect(sharedAPIDirectory != nil, "the API contract (Tests/API) is missing from the checkout")
    }
}
