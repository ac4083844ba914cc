// TLS is always verified: against a real HTTPS server on 127.0.0.1 with a self-signed certificate
// (Python's ssl module, a certificate made by openssl), the CLI refuses to talk until --cacert names
// that certificate, and never offers a way to skip verification.
import Testing
import Foundation
import TestSupport

@Suite struct TLSTests {
    @Test func selfSignedCertificatesAreRefusedUnlessTrustedWithCacert() async throws {
        let dir = try temporaryDirectory()
        let cert = dir.appendingPathComponent("cert.pem").path
        let key = dir.appendingPathComponent("key.pem").path
        let made = try await tool(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                                   "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        #expect(made.status == 0, "\(made.output)")
        try requireTool("python3")

        // A tiny HTTPS stand-in answering /v1/models as the service does.
        let server = """
        import http.server, ssl, sys, threading, os
        # Ends by itself: a stray server must never outlive the test (or hold its output open).
        threading.Timer(60, lambda: os._exit(0)).start()
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b'[{"model_id":"eleven_tls_test","name":"TLS"}]'
                self.send_response(200); self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
            def log_message(self, *a): pass
        s = http.server.HTTPServer(("127.0.0.1", 0), H)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
        s.socket = ctx.wrap_socket(s.socket, server_side=True)
        open(sys.argv[3], "w").write(str(s.server_address[1]))
        s.serve_forever()
        """
        let script = dir.appendingPathComponent("server.py")
        try server.write(to: script, atomically: true, encoding: .utf8)
        let p = Child()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let portFile = dir.appendingPathComponent("port").path
        p.arguments = ["python3", script.path, cert, key, portFile]
        // Not the test's own output: a child holding it open would keep `swift test` waiting.
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try spawn(p)
        defer { p.terminate() }
        let port = try await onThread { () -> String in
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                if let text = try? String(contentsOfFile: portFile, encoding: .utf8), !text.isEmpty { return text }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return ""
        }
        #expect(Int(port) != nil, "the HTTPS stand-in did not start")
        let env = ["ELEVENLABS_BASE_URL": "https://127.0.0.1:\(port)", "ELEVENLABS_API_KEY": "sk_tls_test_key_0001"]
        let refused = try await run("elevenlabs", ["models", "--retries", "0"], env: env)
        #expect(refused.status == 7)
        #expect(refused.err.contains("certificate"), "\(refused.err)")
        let trusted = try await run("elevenlabs", ["models", "--cacert", cert], env: env)
        #expect(trusted.status == 0, "\(trusted.err)")
        #expect(trusted.out.contains("eleven_tls_test"))
    }
}
