public import SansangCore
import Foundation

/// A built-in rule over HTTP facts. Missing facts never pass: no HTTP probe is not applicable,
/// a failed one is inconclusive.
public struct HTTPRule: Rule {
    public let meta: RuleMeta
    let judge: @Sendable (HTTPFacts, RuleSettings, Endpoint) -> RuleVerdict

    public init(_ meta: RuleMeta, judge: @escaping @Sendable (HTTPFacts, RuleSettings, Endpoint) -> RuleVerdict) {
        self.meta = meta
        self.judge = judge
    }

    public func evaluate(_ input: RuleInput) -> RuleVerdict {
        switch input.facts[HTTPFacts.self] {
        case nil: .notApplicable
        case .failed(let failure): .inconclusive(failure.reason)
        case .completed(let facts): judge(facts, input.settings, input.endpoint)
        }
    }
}

extension RuleMeta {
    static func http(
        _ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String,
        requirements: [String], references: [String] = []
    ) -> RuleMeta {
        RuleMeta(
            id: id, severity: severity, title: Localized(vi: vi, en: en), remediation: Localized(vi: fixVi, en: fixEn),
            requirements: requirements, probe: "http", references: references
        )
    }
}

extension HTTPFacts {
    /// The answer whose headers count: the last hop of the page's redirect chain.
    var landing: HTTPExchange? { main.last }

    /// True when the page was finally served over HTTPS.
    var landedOnHTTPS: Bool { landing?.url.lowercased().hasPrefix("https://") ?? false }

    /// Every answer that came back, for header-wide checks (Server, X-Powered-By).
    var allExchanges: [HTTPExchange] {
        main.hops + (plainHTTP?.hops ?? []) + cors + [notFound, errorProbe, trace, options, securityTxt].compactMap { $0 }
            + paths.results.compactMap(\.exchange)
    }
}

/// Evidence text: the request line, the status, and the named response headers as received.
func exchangeEvidence(_ exchange: HTTPExchange, headers names: [String] = [], body: Bool = false) -> String {
    var parts = [exchange.summary]
    if !exchange.requestHeaders.isEmpty {
        parts.append("sent " + exchange.requestHeaders.map { "\($0.name): \($0.value)" }.joined(separator: ", "))
    }
    for name in names {
        let values = exchange.values(name)
        parts.append(values.isEmpty ? "no \(name) header" : values.map { "\(name): \($0)" }.joined(separator: "; "))
    }
    if body, !exchange.bodyExcerpt.isEmpty {
        let excerpt = exchange.bodyExcerpt.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        parts.append("body: \"\(excerpt.prefix(200))\"")
    }
    return parts.joined(separator: "; ")
}
