import ConfigProbe
import Engine
import Foundation
import Rules
import SansangCore
import TLSLab
import Testing

/// External plugins (shell scripts written into a temporary directory) and the configuration
/// endpoint, through the whole pipeline.
@Suite struct PluginAndConfigScanTests {
    static func script(_ name: String, _ body: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-plugins-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    static func scan(_ plugins: [String], timeout: Duration = .seconds(2), maxOutput: Int = 1 << 20) async -> EndpointResult {
        var options = ScanOptions(context: ProbeContext(), checks: [])
        options.plugins = plugins.map { PluginSpec(path: $0) }
        options.pluginTimeout = timeout
        options.pluginMaxOutputBytes = maxOutput
        options.pluginSettings = .object(["system": .string("lgsp")])
        options.declarativeRules = []
        return await ScanRunner(options: options).scan(Endpoint(host: "127.0.0.1", port: 9, scheme: "https"))
    }

    @Test func aWorkingPluginReportsFactsAndFindings() async throws {
        let path = try Self.script("hello.sh", """
        input=$(cat)
        case "$input" in *'"system":"lgsp"'*) ok=true ;; *) ok=false ;; esac
        echo '{"fact": {"firewall": "enabled", "sawSettings": '"$ok"'}}'
        echo ''
        echo '{"finding": {"id": "ddos.missing", "severity": "high", "title": {"vi": "Chưa có chống DDoS", "en": "No anti-DDoS"}, "subject": "edge", "evidence": "no scrubbing service", "remediation": {"vi": "Thuê dịch vụ", "en": "Subscribe"}, "requirements": ["A05-15"]}}'
        """)
        let result = await Self.scan([path])
        let plugin = try #require(result.facts[PluginFacts.self]?.facts?.results["hello"])
        #expect(plugin.error == nil, "\(plugin.error ?? "")")
        #expect(plugin.facts["firewall"] == .string("enabled") && plugin.facts["sawSettings"] == .bool(true))
        let finding = try #require(result.findings.first { $0.ruleId == "plugin.hello.ddos.missing" })
        #expect(finding.severity == .high && finding.title.vi == "Chưa có chống DDoS" && finding.requirements == ["A05-15"])
        #expect(!result.ruleIds.contains("plugin.error"))
        #expect(result.passed.contains("plugin.error"))
    }

    @Test func aHangingPluginIsStoppedAndReported() async throws {
        let path = try Self.script("hang.sh", "sleep 60 &\nsleep 60\n")
        let started = Date()
        let result = await Self.scan([path], timeout: .seconds(1))
        #expect(Date().timeIntervalSince(started) < 30, "the 1 s plugin timeout was not enforced")
        let error = try #require(result.findings.first { $0.ruleId == "plugin.error" })
        #expect(error.subject == "hang" && error.evidence.contains("timeout"))
    }

    @Test func aCrashingPluginIsReported() async throws {
        let path = try Self.script("crash.sh", "echo '{\"fact\": {\"partial\": 1}}'\necho 'oops' >&2\nkill -SEGV $$\n")
        let result = await Self.scan([path])
        let error = try #require(result.findings.first { $0.ruleId == "plugin.error" })
        #expect(error.evidence.contains("signal 11") && error.evidence.contains("oops"), "\(error.evidence)")
    }

    @Test func aFailingExitStatusIsReported() async throws {
        let path = try Self.script("exit3.sh", "exit 3\n")
        let error = try #require(await Self.scan([path]).findings.first { $0.ruleId == "plugin.error" })
        #expect(error.evidence.contains("exited with status 3"))
    }

    @Test func garbageOutputIsReported() async throws {
        let path = try Self.script("garbage.sh", "echo 'this is not json'\necho '{\"finding\": {\"id\": \"x\"}}'\n")
        let result = await Self.scan([path])
        let error = try #require(result.findings.first { $0.ruleId == "plugin.error" })
        #expect(error.evidence.contains("line 1 is not a JSON object"))
        let invalid = try Self.script("invalid-finding.sh", "echo '{\"finding\": {\"id\": \"x\"}}'\necho '[1,2]'\n")
        let second = try #require(await Self.scan([invalid]).findings.first { $0.ruleId == "plugin.error" })
        #expect(second.evidence.contains("a finding needs id, severity"), "\(second.evidence)")
    }

    @Test func tooMuchOutputIsCut() async throws {
        let path = try Self.script("flood.sh", "yes '{\"fact\": {\"a\": 1}}'\n")
        let started = Date()
        let result = await Self.scan([path], timeout: .seconds(20), maxOutput: 64 << 10)
        #expect(Date().timeIntervalSince(started) < 30, "the output cap did not stop the plugin")
        #expect(result.findings.first { $0.ruleId == "plugin.error" }?.evidence.contains("more than 65536 bytes") == true)
    }

    @Test func aMissingPluginIsReported() async throws {
        let result = await Self.scan(["/nonexistent/sansang-plugin.sh"])
        #expect(result.findings.first { $0.ruleId == "plugin.error" }?.evidence.contains("cannot run") == true)
    }

    @Test func aConfigOnlyScanRunsOnTheFileEndpoint() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../ConfigProbeTests/Fixtures").standardized
        let pki = try IntegrationLab.pki.get()
        var context = ProbeContext()
        context.configFiles = [fixtures.appendingPathComponent("nginx-bad/nginx.conf").path, "sshd:" + fixtures.appendingPathComponent("sshd/sshd_config.good").path]
        context.clientCertificate = ClientCertificateSpec(cert: pki.expired.chainPEMPath, key: pki.expired.keyPEMPath, ca: pki.caPEMPath)
        var options = ScanOptions(context: context, checks: ["tls", "config"])
        options.declarativeRules = []
        let endpoint = ProbeRegistry.configEndpoint(context.configFiles)
        let result = await ScanRunner(options: options).scan(endpoint)
        #expect(result.facts[TLSFacts.self] == nil)  // no network probe on the file endpoint
        #expect(result.ruleIds.isSuperset(of: ["config.nginx.tls-protocols", "config.nginx.client-verify-off", "cert.client.expired"]))
        #expect(!result.ruleIds.contains { $0.hasPrefix("config.sshd.") })
        #expect(result.passed.contains("config.sshd.permit-root-login"))
    }
}
