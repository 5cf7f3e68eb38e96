public import Foundation
public import SansangCore

/// The `--format json` contract (documented in README.md; keys are never renamed once shipped).
public enum JSONReport {
    public static func render(_ report: ScanReport, language: Language, failOn: Severity) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var endpoints: [JSONValue] = []
        for result in report.endpoints {
            let facts = try result.facts.jsonObject(encoder: encoder)
            var object: [String: JSONValue] = [
                "endpoint": .string(result.endpoint.description),
                "host": .string(result.endpoint.host),
                "port": .number(Double(result.endpoint.port)),
                "status": .string(result.complete ? "completed" : "failed"),
                "findings": .array(result.findings.map { finding(for: $0, language: language) }),
                "inconclusive": .array(result.inconclusive.map {
                    .object(["id": .string($0.ruleId), "title": .string($0.title.text(language)), "reason": .string($0.reason)])
                }),
                "passed": .array(result.passed.map(JSONValue.string)),
                "errors": .object(result.failures.mapValues { .object(["kind": .string($0.kind), "reason": .string($0.reason)]) }),
            ]
            for (key, entry) in facts {
                object[key] = entry[path: ["facts"]] ?? .null
            }
            if object["tls"] == nil { object["tls"] = .null }
            endpoints.append(.object(object))
        }
        var summary: [String: JSONValue] = [:]
        for severity in Severity.allCases { summary[severity.rawValue] = .number(Double(report.count(severity))) }
        let root: JSONValue = .object([
            "tool": .object(["name": .string(report.tool), "version": .string(report.version)]),
            "startedAt": .string(iso(report.startedAt)),
            "finishedAt": .string(iso(report.finishedAt)),
            "policy": .string(report.policy),
            "language": .string(language.rawValue),
            "failOn": .string(failOn.rawValue),
            "verdict": .string(report.verdict(failOn: failOn).rawValue),
            "summary": .object(summary),
            "endpoints": .array(endpoints),
        ])
        let output = JSONEncoder()
        output.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try output.encode(root)
    }

    static func finding(for finding: Finding, language: Language) -> JSONValue {
        .object([
            "id": .string(finding.ruleId),
            "severity": .string(finding.severity.rawValue),
            "title": .string(finding.title.text(language)),
            "subject": .string(finding.subject),
            "evidence": .string(finding.evidence),
            "remediation": .string(finding.remediation.text(language)),
            "requirements": .array(finding.requirements.map(JSONValue.string)),
            "fingerprint": .string(finding.fingerprint()),
        ])
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
