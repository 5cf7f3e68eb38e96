public import Foundation
public import SansangCore
public import TLSProbe
public import Rules
import HTTPProbe
public import PortProbe
import ConfigProbe
import Inventory

/// What a scan runs and how politely.
public struct ScanOptions: Sendable {
    public var context: ProbeContext
    public var checks: Set<String>
    /// Checks chosen by each target's scheme (TLS for host:port and https://, HTTP for http:// and https://).
    public var automaticChecks = false
    public var policy: TLSPolicy
    public var expiryWarningDays: Int
    public var clock: @Sendable () -> Date
    /// The exposure policy: ports the scanned systems may expose (nil = 80 and 443).
    public var allowedPorts: Set<Int>?
    /// Declarative rules to run; nil loads `Checks/rules` found near the working directory or the executable.
    public var declarativeRules: [DeclarativeRuleSpec]?
    /// External plugins run on every endpoint, the settings they receive, and their bounds.
    public var plugins: [PluginSpec] = []
    public var pluginSettings: JSONValue = .null
    public var pluginTimeout: Duration = .seconds(30)
    public var pluginMaxOutputBytes = 1 << 20

    public init(
        context: ProbeContext = ProbeContext(), checks: Set<String> = ["tls"], policy: TLSPolicy = .csdlqgLevel3,
        expiryWarningDays: Int = 30, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.context = context
        self.checks = checks
        self.policy = policy
        self.expiryWarningDays = expiryWarningDays
        self.clock = clock
    }
}

/// The built-in probes by check name; `--checks` chooses among them.
public enum ProbeRegistry {
    /// Check names `--checks` accepts.
    public static let available: [String] = ["tls", "http", "ports", "config"]

    /// The endpoint a configuration-only check runs on: files are not a network service.
    public static func configEndpoint(_ files: [String]) -> Endpoint {
        Endpoint(host: "config", port: 0, scheme: "file", path: files.first.map { ConfigProbe.kindAndPath($0).1 } ?? "/")
    }

    /// Whether a probe runs on an endpoint: no TLS on `http://`; with automatic checks, HTTP only
    /// for `http://` and `https://` targets (a bare `host:port` gets the TLS audit alone).
    public static func applies(_ probe: String, to endpoint: Endpoint, automatic: Bool) -> Bool {
        switch probe {
        case ConfigProbe.id: endpoint.scheme == "file"
        case PluginProbe.id: true
        case _ where endpoint.scheme == "file": false  // no network probe on the configuration endpoint
        case TLSProbe.id: endpoint.scheme != "http"
        case HTTPProbe.id: endpoint.startTLS == nil && (!automatic || endpoint.scheme != "tls")
        default: true
        }
    }

    static func probes(for options: ScanOptions, limiter: ConnectionLimiter) -> [any Probe] {
        var probes: [any Probe] = []
        if options.checks.contains(TLSProbe.id) { probes.append(TLSProbe(limiter: limiter, clock: options.clock)) }
        if options.checks.contains(HTTPProbe.id) { probes.append(HTTPProbe(pathsFile: options.context.httpPathsFile)) }
        if options.checks.contains(PortProbe.id) { probes.append(PortProbe(overallRate: options.context.portConnectRateOverall)) }
        if options.checks.contains(ConfigProbe.id) { probes.append(ConfigProbe(inspectCertificate: { CertificateFileInspector.inspect($0) })) }
        if !options.plugins.isEmpty {
            probes.append(PluginProbe(plugins: options.plugins, settings: options.pluginSettings, timeout: options.pluginTimeout, maxOutputBytes: options.pluginMaxOutputBytes))
        }
        return probes
    }
}

/// Runs the pipeline for a list of endpoints: probes gather facts, rules judge them.
/// Endpoints run concurrently; the shared limiter keeps connections polite.
public struct ScanRunner: Sendable {
    public let options: ScanOptions
    public let limiter: ConnectionLimiter
    let probes: [any Probe]
    let rules: [any Rule]
    /// Problems met loading the declarative rules when they were located automatically.
    public let ruleErrors: [SansangError]

    public init(options: ScanOptions, extraProbes: [any Probe] = [], extraRules: [any Rule] = []) {
        self.options = options
        let limiter = ConnectionLimiter(options.context)
        self.limiter = limiter
        self.probes = ProbeRegistry.probes(for: options, limiter: limiter) + extraProbes
        var ruleErrors: [SansangError] = []
        let declarative: [DeclarativeRuleSpec]
        if let given = options.declarativeRules {
            declarative = given
        } else if let directory = DeclarativeRuleLoader.locate(near: DeclarativeRuleLoader.defaultSearchDirectories()) {
            let loaded = DeclarativeRuleLoader.load(directory: directory)
            declarative = loaded.rules
            ruleErrors = loaded.errors
        } else {
            declarative = []
            ruleErrors = [SansangError(.configuration, "Checks/rules not found near the working directory or the executable; only the built-in rules run")]
        }
        self.ruleErrors = ruleErrors
        // A declarative rule replaces the built-in rule of the same id.
        let declarativeIDs = Set(declarative.map(\.meta.id))
        self.rules = RuleCatalog.rules(tlsPolicy: options.policy).filter { !declarativeIDs.contains($0.meta.id) }
            + declarative.map(DeclarativeRule.init) + extraRules
            + probes.compactMap { $0 as? HTTPProbe }.flatMap { HTTPRules.exposedPathRules($0.pathChecks) }
    }

    public func run(_ endpoints: [Endpoint]) async -> ScanReport {
        let started = options.clock()
        let results = await withTaskGroup(of: (Int, EndpointResult).self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask { (index, await self.scan(endpoint)) }
            }
            var collected: [(Int, EndpointResult)] = []
            for await item in group { collected.append(item) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ScanReport(
            version: SansangVersion.current, policy: options.policy.id, startedAt: started,
            finishedAt: options.clock(), endpoints: results
        )
    }

    public func scan(_ endpoint: Endpoint) async -> EndpointResult {
        let started = options.clock()
        var facts = FactSet()
        for probe in probes where ProbeRegistry.applies(type(of: probe).id, to: endpoint, automatic: options.automaticChecks) {
            await probe.gather(endpoint, options.context, into: &facts)
        }
        var settings = RuleSettings(now: options.clock(), expiryWarningDays: options.expiryWarningDays, tlsPolicy: options.policy.id)
        settings.allowedPorts = options.allowedPorts
        return Self.judge(endpoint: endpoint, facts: facts, rules: rules, settings: settings, startedAt: started, finishedAt: options.clock())
    }

    /// Applies rules to facts; pure, so stored facts can be judged again.
    public static func judge(endpoint: Endpoint, facts: FactSet, rules: [any Rule], settings: RuleSettings, startedAt: Date, finishedAt: Date) -> EndpointResult {
        var findings: [Finding] = []
        var inconclusive: [InconclusiveCheck] = []
        var passed: [String] = []
        let input = RuleInput(endpoint: endpoint, facts: facts, settings: settings)
        for rule in rules {
            switch rule.evaluate(input) {
            case .pass: passed.append(rule.meta.id)
            case .notApplicable: continue
            case .inconclusive(let reason): inconclusive.append(InconclusiveCheck(ruleId: rule.meta.id, title: rule.meta.title, reason: reason))
            case .fail(let drafts): findings.append(contentsOf: drafts.map { Finding(rule: rule.meta, draft: $0, endpoint: endpoint) })
            }
        }
        findings += PluginRules.findings(facts, endpoint: endpoint)
        findings.sort { ($0.severity, $1.ruleId) > ($1.severity, $0.ruleId) }
        return EndpointResult(endpoint: endpoint, facts: facts, findings: findings, inconclusive: inconclusive, passed: passed, startedAt: startedAt, finishedAt: finishedAt)
    }
}
