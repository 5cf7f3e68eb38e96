import SansangCore

/// What a parsed Content-Security-Policy allows for scripts and plugins. With several policies,
/// a browser enforces all of them: something is allowed only if every policy allows it.
enum CSPAnalysis {
    /// The source list that governs `directive` in one policy, lower-cased; nil means unrestricted.
    static func effective(_ policy: [String: [String]], _ directive: String) -> [String]? {
        if let sources = policy[directive] { return sources.map { $0.lowercased() } }
        return policy["default-src"]?.map { $0.lowercased() }
    }

    /// True when every policy's script-src lets `weakness` through.
    static func everyPolicy(_ csp: CSPFacts, directive: String = "script-src", allows weakness: ([String]?) -> Bool) -> Bool {
        !csp.policies.isEmpty && csp.policies.allSatisfy { weakness(effective($0, directive)) }
    }

    /// `'unsafe-inline'` counts unless a nonce, a hash or `'strict-dynamic'` disables it (CSP2+).
    static func allowsUnsafeInline(_ sources: [String]?) -> Bool {
        guard let sources else { return true }
        let neutralised = sources.contains { $0.hasPrefix("'nonce-") || $0.hasPrefix("'sha256-") || $0.hasPrefix("'sha384-") || $0.hasPrefix("'sha512-") || $0 == "'strict-dynamic'" }
        return sources.contains("'unsafe-inline'") && !neutralised
    }

    static func allowsUnsafeEval(_ sources: [String]?) -> Bool {
        guard let sources else { return true }
        return sources.contains("'unsafe-eval'")
    }

    /// Sources that let any site's script run: `*`, bare schemes, `data:`, wildcard hosts.
    static func broadSources(_ sources: [String]?) -> [String] {
        guard let sources else { return ["(no script-src or default-src)"] }
        return sources.filter { source in
            ["*", "http:", "https:", "data:", "blob:", "filesystem:", "http://*", "https://*"].contains(source)
                || (source.hasPrefix("*.") && source.split(separator: ".").count <= 2)
        }
    }

    static func hasDirective(_ csp: CSPFacts, _ name: String) -> Bool {
        csp.policies.contains { $0[name] != nil }
    }

    /// True when some policy restricts plugins (`object-src`, or `default-src` as its fallback).
    static func restrictsObjects(_ csp: CSPFacts) -> Bool {
        csp.policies.contains { effective($0, "object-src") != nil }
    }
}
