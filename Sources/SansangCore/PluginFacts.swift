/// What external plugins answered about one endpoint, by plugin name: the facts they reported
/// (merged, later lines win), the findings they raised, and what went wrong when they failed.
/// Declarative rules read plugin facts as `plugin.<name>.<field>`.
public struct PluginFacts: Facts {
    public static let key = "plugin"

    public var results: [String: PluginResult]

    public init(results: [String: PluginResult] = [:]) {
        self.results = results
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(results)
    }

    public init(from decoder: any Decoder) throws {
        results = try decoder.singleValueContainer().decode([String: PluginResult].self)
    }
}

/// One plugin's run.
public struct PluginResult: Codable, Sendable, Hashable {
    /// The executable run.
    public var path: String
    /// Facts reported on `{"fact": {...}}` lines, merged key by key.
    public var facts: [String: JSONValue]
    public var findings: [PluginFinding]
    /// Why the run failed (timeout, crash, exit status, bad JSON, too much output); nil when it worked.
    public var error: String?
    public var exitStatus: Int?
    public var durationMilliseconds: Int

    public init(path: String, facts: [String: JSONValue] = [:], findings: [PluginFinding] = [], error: String? = nil, exitStatus: Int? = nil, durationMilliseconds: Int = 0) {
        self.path = path
        self.facts = facts
        self.findings = findings
        self.error = error
        self.exitStatus = exitStatus
        self.durationMilliseconds = durationMilliseconds
    }

    public func encode(to encoder: any Encoder) throws {
        // Facts sit beside the run's metadata so declarative paths read `plugin.<name>.<fact>`.
        var container = encoder.container(keyedBy: DynamicKey.self)
        for (key, value) in facts where !["_path", "_findings", "_error", "_exitStatus", "_durationMilliseconds"].contains(key) {
            try container.encode(value, forKey: DynamicKey(key))
        }
        try container.encode(path, forKey: DynamicKey("_path"))
        try container.encode(findings, forKey: DynamicKey("_findings"))
        try container.encodeIfPresent(error, forKey: DynamicKey("_error"))
        try container.encodeIfPresent(exitStatus, forKey: DynamicKey("_exitStatus"))
        try container.encode(durationMilliseconds, forKey: DynamicKey("_durationMilliseconds"))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicKey.self)
        path = try container.decode(String.self, forKey: DynamicKey("_path"))
        findings = try container.decodeIfPresent([PluginFinding].self, forKey: DynamicKey("_findings")) ?? []
        error = try container.decodeIfPresent(String.self, forKey: DynamicKey("_error"))
        exitStatus = try container.decodeIfPresent(Int.self, forKey: DynamicKey("_exitStatus"))
        durationMilliseconds = try container.decodeIfPresent(Int.self, forKey: DynamicKey("_durationMilliseconds")) ?? 0
        var facts: [String: JSONValue] = [:]
        for key in container.allKeys where !key.stringValue.hasPrefix("_") {
            facts[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.facts = facts
    }
}

/// A finding a plugin raised: `{"finding": {"id", "severity", "title": {vi, en}, "subject", "evidence", "remediation": {vi, en}, "requirements"}}`.
public struct PluginFinding: Codable, Sendable, Hashable {
    public var id: String
    public var severity: Severity
    public var title: Localized
    public var subject: String
    public var evidence: String
    public var remediation: Localized
    public var requirements: [String]

    public init(id: String, severity: Severity, title: Localized, subject: String, evidence: String, remediation: Localized, requirements: [String] = []) {
        self.id = id
        self.severity = severity
        self.title = title
        self.subject = subject
        self.evidence = evidence
        self.remediation = remediation
        self.requirements = requirements
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        severity = try container.decode(Severity.self, forKey: .severity)
        title = try container.decode(Localized.self, forKey: .title)
        subject = try container.decodeIfPresent(String.self, forKey: .subject) ?? ""
        evidence = try container.decodeIfPresent(String.self, forKey: .evidence) ?? ""
        remediation = try container.decodeIfPresent(Localized.self, forKey: .remediation) ?? Localized(vi: "", en: "")
        requirements = try container.decodeIfPresent([String].self, forKey: .requirements) ?? []
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ value: String) { stringValue = value }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
