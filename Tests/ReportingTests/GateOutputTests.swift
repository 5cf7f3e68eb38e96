import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Reporting
import SansangCore
import TLSLab

@Suite struct GateOutputTests {
    static func result(now: Date) -> GateResult {
        let endpoint = Endpoint(host: "127.0.0.1", port: 8443)
        func meta(_ id: String, _ severity: Severity) -> RuleMeta {
            RuleMeta(id: id, severity: severity, title: Localized(vi: "Tiêu đề \(id)", en: "Title \(id)"), remediation: Localized(vi: "Sửa <ngay>", en: "Fix & rescan"), requirements: ["A06-02"], probe: "tls")
        }
        let findings = [
            Finding(rule: meta("tls.protocol.tls10", .high), draft: FindingDraft(subject: "TLSv1.0", evidence: "ServerHello 0x0301 \u{1}"), endpoint: endpoint),
            Finding(rule: meta("tls.cipher.rc4", .high), draft: FindingDraft(subject: "cipher-suites", evidence: "RC4 \"quoted\""), endpoint: endpoint),
            Finding(rule: meta("tls.cipher.cbc", .low), draft: FindingDraft(subject: "cipher-suites", evidence: "CBC"), endpoint: endpoint),
            Finding(rule: meta("tls.cert.expired", .critical), draft: FindingDraft(subject: "abc", evidence: "expired"), endpoint: endpoint),
        ]
        let waivers = [
            Waiver(finding: nil, rule: "tls.cipher.rc4", system: "lgsp", endpoint: nil, reason: "legacy client", approver: "PGĐ", expires: now.addingTimeInterval(86400), location: "w.yaml:2:5"),
            Waiver(finding: nil, rule: "tls.cert.expired", system: "lgsp", endpoint: nil, reason: "old", approver: "PGĐ", expires: now.addingTimeInterval(-86400), location: "w.yaml:8:5"),
        ]
        let baseline = [findings[0].fingerprint(): Severity.high]
        return GateEvaluator.evaluate(findings: findings.map { ("lgsp", $0) }, failOn: .high, waivers: waivers, baseline: baseline, incomplete: [], now: now)
    }

    @Test func waiversBaselineAndThreshold() {
        let result = Self.result(now: Date())
        let byRule = Dictionary(uniqueKeysWithValues: result.items.map { ($0.finding.ruleId, $0) })
        #expect(byRule["tls.protocol.tls10"]?.blocking == false)  // in the baseline, unchanged
        #expect(byRule["tls.protocol.tls10"]?.baseline == .unchanged)
        #expect(byRule["tls.cipher.rc4"]?.waiver != nil && byRule["tls.cipher.rc4"]?.blocking == false)
        #expect(byRule["tls.cipher.cbc"]?.blocking == false)  // below fail-on
        #expect(byRule["tls.cert.expired"]?.blocking == true)  // its waiver expired; new against the baseline
        #expect(result.expiredWaivers.map(\.location) == ["w.yaml:8:5"])
        #expect(result.exitCode == 1)
        let incomplete = GateEvaluator.evaluate(findings: [], failOn: .high, waivers: [], baseline: nil, incomplete: ["lgsp: refused"], now: Date())
        #expect(incomplete.exitCode == 2)
    }

    @Test func sarifIsValidAgainstTheSchema() throws {
        let data = try GateOutputs.sarif(Self.result(now: Date()), language: .vi, configFiles: ["lgsp": ["deploy/nginx/lgsp.conf"]])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-sarif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sarif = directory.appendingPathComponent("out.sarif")
        try data.write(to: sarif)
        let schema = ReportFixture.repository.appendingPathComponent("Tests/ReportingTests/Fixtures/sarif-schema-2.1.0.json").path
        // The fixture keeps the root constraints under definitions/Root (see Fixtures/README.md).
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        root = {"$ref": "#/definitions/Root", "definitions": schema["definitions"]}
        document = json.load(open(sys.argv[2]))
        errors = list(jsonschema.Draft7Validator(root).iter_errors(document))
        for e in errors[:10]: print(list(e.path), e.message)
        assert not jsonschema.Draft7Validator(root).is_valid({"version": "2.1.0"}), "schema check is not biting"
        sys.exit(1 if errors else 0)
        """
        let (status, output) = try LabCommand.run("/usr/bin/env", ["python3", "-c", script, schema, sarif.path], timeout: 60)
        #expect(status == 0, "SARIF schema validation failed: \(output)")
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let run = (json?["runs"] as? [[String: Any]])?.first
        let results = run?["results"] as? [[String: Any]] ?? []
        #expect(results.count == 4)
        for result in results {
            let fingerprints = result["partialFingerprints"] as? [String: String]
            #expect(fingerprints?["sansangFingerprint/v1"]?.count == 32)
            let uri = (((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any])?["uri"] as? String
            #expect(uri == "deploy/nginx/lgsp.conf")
        }
        #expect(results.contains { ($0["suppressions"] as? [[String: Any]])?.isEmpty == false })
        #expect(GateOutputs.location(system: "tthc", endpoint: Endpoint(host: "::1", port: 443), configFiles: [:]) == "sansang/tthc/__1_443")
    }

    @Test func junitParsesBack() throws {
        let xml = GateOutputs.junit(Self.result(now: Date()), passed: ["lgsp": ["tls.protocol.sslv2 @ 127.0.0.1:8443"]], language: .en, timestamp: Date())
        let document = try XMLDocument(data: Data(xml.utf8))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "5")
        #expect(root.attribute(forName: "failures")?.stringValue == "1")
        #expect(root.attribute(forName: "skipped")?.stringValue == "3")
        let failures = try root.nodes(forXPath: "//testcase/failure")
        #expect(failures.count == 1)
        #expect((failures.first as? XMLElement)?.attribute(forName: "type")?.stringValue == "critical")
        #expect(try root.nodes(forXPath: "//testcase/skipped").count == 3)
    }
}
