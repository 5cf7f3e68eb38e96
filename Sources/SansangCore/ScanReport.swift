public import Foundation

/// A rule that could not decide, and why (missing facts never pass).
public struct InconclusiveCheck: Codable, Sendable, Hashable {
    public var ruleId: String
    public var title: Localized
    public var reason: String

    public init(ruleId: String, title: Localized, reason: String) {
        self.ruleId = ruleId
        self.title = title
        self.reason = reason
    }
}

/// Everything one scan learned and judged about one endpoint.
public struct EndpointResult: Sendable {
    public var endpoint: Endpoint
    public var facts: FactSet
    public var findings: [Finding]
    public var inconclusive: [InconclusiveCheck]
    public var passed: [String]
    public var startedAt: Date
    public var finishedAt: Date

    public init(endpoint: Endpoint, facts: FactSet, findings: [Finding], inconclusive: [InconclusiveCheck], passed: [String], startedAt: Date, finishedAt: Date) {
        self.endpoint = endpoint
        self.facts = facts
        self.findings = findings
        self.inconclusive = inconclusive
        self.passed = passed
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Probe failures: the endpoint (or part of it) could not be tested.
    public var failures: [String: ProbeFailure] { facts.failures }
    public var complete: Bool { failures.isEmpty }
}

/// The result of one `sansang scan`.
public struct ScanReport: Sendable {
    public var tool: String
    public var version: String
    public var policy: String
    public var startedAt: Date
    public var finishedAt: Date
    public var endpoints: [EndpointResult]

    public init(tool: String = "sansang", version: String, policy: String, startedAt: Date, finishedAt: Date, endpoints: [EndpointResult]) {
        self.tool = tool
        self.version = version
        self.policy = policy
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.endpoints = endpoints
    }

    public var findings: [Finding] { endpoints.flatMap(\.findings) }
    public var complete: Bool { endpoints.allSatisfy(\.complete) }

    public func count(_ severity: Severity) -> Int { findings.filter { $0.severity == severity }.count }

    /// The overall outcome against a threshold: `incomplete` wins, then `fail`, else `pass`.
    public func verdict(failOn threshold: Severity) -> Verdict {
        if !complete { return .incomplete }
        return findings.contains { $0.severity >= threshold } ? .fail : .pass
    }

    public enum Verdict: String, Sendable, Codable {
        case pass, fail, incomplete

        /// The exit code DESIGN.md documents: 0 pass, 1 policy failed, 2 could not complete.
        public var exitCode: Int32 {
            switch self {
            case .pass: 0
            case .fail: 1
            case .incomplete: 2
            }
        }
    }
}

/// The tool's version, shown in reports and `--version`.
public enum SansangVersion {
    public static let current = "0.1.0"
}
