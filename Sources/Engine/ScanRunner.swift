public import Foundation
public import SansangCore
public import TLSProbe
public import Rules
import HTTPProbe
public import PortProbe

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
    public static let available: [String] = ["tls", "http", "ports"]

    /// Whether a probe runs on an endpoint: no TLS on `http://`; with automatic checks, HTTP only
    /// for `http://` and `https://` targets (a bare `host:port` gets the TLS audit alone).
    public static func applies(_ probe: String, to endpoint: Endpoint, automatic: Bool) -> Bool {
        switch probe {
        case TLSProbe.id: endpoint.scheme != "http"
        case HTTPProbe.id: !automatic || endpoint.scheme != "tls"
        default: true
        }
    }

    static func probes(for options: ScanOptions, limiter: ConnectionLimiter) -> [any Probe] {
        var probes: [any Probe] = []
        if options.checks.contains(TLSProbe.id) { probes.append(TLSProbe(limiter: limiter, clock: options.clock)) }
        if options.checks.contains(HTTPProbe.id) { probes.append(HTTPProbe(pathsFile: options.context.httpPathsFile)) }
        if options.checks.contains(PortProbe.id) { probes.append(PortProbe(overallRate: options.context.portConnectRateOverall)) }
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

    public init(options: ScanOptions, extraProbes: [any Probe] = [], extraRules: [any Rule] = []) {
        self.options = options
        let limiter = ConnectionLimiter(options.context)
        self.limiter = limiter
        self.probes = ProbeRegistry.probes(for: options, limiter: limiter) + extraProbes
        self.rules = RuleCatalog.rules(tlsPolicy: options.policy) + extraRules
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
        findings.sort { ($0.severity, $1.ruleId) > ($1.severity, $0.ruleId) }
        return EndpointResult(endpoint: endpoint, facts: facts, findings: findings, inconclusive: inconclusive, passed: passed, startedAt: startedAt, finishedAt: finishedAt)
    }
}
