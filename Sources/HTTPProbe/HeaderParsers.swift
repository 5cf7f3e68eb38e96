import Foundation
import SansangCore

/// Parsers for the security headers a server sends. They take whatever bytes came and never
/// fail: an unreadable header parses to what can be read of it, and the oddity is noted.
enum HeaderParser {
    /// Every security header of one answer.
    static func securityHeaders(_ exchange: HTTPExchange) -> SecurityHeaders {
        var out = SecurityHeaders()
        out.hsts = hsts(exchange.values("Strict-Transport-Security"))
        out.csp = csp(exchange.values("Content-Security-Policy"))
        out.cspReportOnly = csp(exchange.values("Content-Security-Policy-Report-Only"))
        out.xFrameOptions = exchange.header("X-Frame-Options")
        out.xContentTypeOptions = exchange.header("X-Content-Type-Options")
        out.referrerPolicy = exchange.header("Referrer-Policy").map(tokens)
        out.permissionsPolicy = exchange.header("Permissions-Policy")
        out.crossOriginOpenerPolicy = exchange.header("Cross-Origin-Opener-Policy")
        out.crossOriginResourcePolicy = exchange.header("Cross-Origin-Resource-Policy")
        out.crossOriginEmbedderPolicy = exchange.header("Cross-Origin-Embedder-Policy")
        out.cacheControl = exchange.header("Cache-Control").map(tokens)
        out.pragma = exchange.header("Pragma")
        return out
    }

    /// A comma-separated list, lower-cased, empty items dropped.
    static func tokens(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    /// Strict-Transport-Security (RFC 6797 §6.1). The first header is the one a browser uses.
    static func hsts(_ values: [String]) -> HSTSFacts? {
        guard let raw = values.first else { return nil }
        var problems: [String] = []
        if values.count > 1 { problems.append("\(values.count) Strict-Transport-Security headers; browsers use the first") }
        var maxAge: Int?
        var sawMaxAge = false
        var includeSubDomains = false
        var preload = false
        var seen: Set<String> = []
        for part in raw.split(separator: ";", omittingEmptySubsequences: true) {
            let directive = part.trimmingCharacters(in: .whitespaces)
            guard !directive.isEmpty else { continue }
            let pieces = directive.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = pieces[0].trimmingCharacters(in: .whitespaces).lowercased()
            var value = pieces.count > 1 ? pieces[1].trimmingCharacters(in: .whitespaces) : nil
            if let quoted = value, quoted.count >= 2, quoted.hasPrefix("\""), quoted.hasSuffix("\"") {
                value = String(quoted.dropFirst().dropLast())
            }
            if !seen.insert(name).inserted {
                problems.append("directive '\(name)' appears more than once (the header is then invalid)")
                continue
            }
            switch name {
            case "max-age":
                sawMaxAge = true
                if let value, !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    maxAge = Int(value) ?? Int.max  // a huge number is still a (very long) max-age
                } else {
                    problems.append("max-age '\(value ?? "")' is not a number of seconds")
                }
            case "includesubdomains": includeSubDomains = true
            case "preload": preload = true
            default: problems.append("unknown directive '\(name)'")
            }
        }
        if !sawMaxAge { problems.append("max-age is missing (the header is then ignored)") }
        return HSTSFacts(raw: raw, maxAge: maxAge, includeSubDomains: includeSubDomains, preload: preload, headerCount: values.count, problems: problems)
    }

    /// Content-Security-Policy (CSP3 §2.2): each header, and each comma-separated part of one,
    /// is a separate policy; directives are separated by ';'; a repeated directive is ignored.
    static func csp(_ values: [String]) -> CSPFacts? {
        guard !values.isEmpty else { return nil }
        var policies: [[String: [String]]] = []
        for value in values {
            for serialized in value.split(separator: ",") {
                var policy: [String: [String]] = [:]
                for token in serialized.split(separator: ";") {
                    let words = token.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0C}" })
                    guard let first = words.first else { continue }
                    let name = first.lowercased()
                    guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { continue }
                    guard policy[name] == nil else { continue }
                    policy[name] = words.dropFirst().map(String.init)
                }
                if !policy.isEmpty { policies.append(policy) }
            }
        }
        return CSPFacts(raw: values.joined(separator: ", "), policies: policies)
    }

    /// One Set-Cookie (RFC 6265bis §5.6). nil when there is neither a name nor a value.
    static func cookie(_ header: String, url: String) -> CookieFacts? {
        let parts = header.split(separator: ";", omittingEmptySubsequences: false)
        guard let pair = parts.first else { return nil }
        let name: String
        if let equals = pair.firstIndex(of: "=") {
            name = pair[..<equals].trimmingCharacters(in: .whitespaces)
            if name.isEmpty && pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        } else {
            name = ""  // a nameless cookie: the whole pair is its value
            if pair.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        }
        var secure = false
        var httpOnly = false
        var sameSite: String?
        var domain: String?
        var path: String?
        var persistent = false
        var maxAge: Int?
        var attributes: [String] = []
        for attribute in parts.dropFirst() {
            let trimmed = attribute.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            attributes.append(trimmed)
            let pieces = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = pieces[0].trimmingCharacters(in: .whitespaces).lowercased()
            let value = pieces.count > 1 ? pieces[1].trimmingCharacters(in: .whitespaces) : ""
            switch key {
            case "secure": secure = true
            case "httponly": httpOnly = true
            case "samesite": sameSite = value
            case "domain": domain = value.isEmpty ? nil : value
            case "path": path = value
            case "expires": persistent = true
            case "max-age":
                persistent = true
                maxAge = Int(value.prefix(20))
            default: continue
            }
        }
        let redacted = ([name.isEmpty ? "…" : "\(name)=…"] + attributes).joined(separator: "; ")
        return CookieFacts(
            name: name, secure: secure, httpOnly: httpOnly, sameSite: sameSite, domain: domain, path: path,
            persistent: persistent, maxAge: maxAge, url: url, redacted: redacted
        )
    }

    /// Methods listed in `Allow` or `Access-Control-Allow-Methods`, upper-cased, in order, once each.
    static func methods(_ values: [String]) -> [String] {
        var out: [String] = []
        for value in values {
            for item in value.split(separator: ",") {
                let method = item.trimmingCharacters(in: .whitespaces).uppercased()
                guard !method.isEmpty, method.count <= 32, method.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-" || $0 == "_") }) else { continue }
                if !out.contains(method) { out.append(method) }
            }
        }
        return out
    }

    /// Splits raw header lines of one response into fields; folded lines join the previous field.
    /// Lines without a colon (garbage) are dropped.
    static func fields(_ lines: [String]) -> [HTTPHeaderField] {
        var out: [HTTPHeaderField] = []
        for line in lines {
            if let first = line.first, first == " " || first == "\t" {
                if var last = out.popLast() {
                    last.value += " " + line.trimmingCharacters(in: .whitespaces)
                    out.append(last)
                }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { continue }
            out.append(HTTPHeaderField(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return out
    }
}
