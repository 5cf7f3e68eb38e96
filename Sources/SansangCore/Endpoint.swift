import Foundation

/// A network service to audit: a host (name or IP literal), a port, and the name to present in SNI.
public struct Endpoint: Codable, Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// `https`, `http` or `tls` (a bare `host:port`).
    public var scheme: String
    /// Path given in a URL target, kept for probes that fetch pages.
    public var path: String

    public init(host: String, port: Int, scheme: String = "tls", path: String = "/") {
        self.host = host
        self.port = port
        self.scheme = scheme
        self.path = path
    }

    public var isIPLiteral: Bool { IPAddress.isLiteral(host) }

    /// Plaintext protocols upgraded with STARTTLS before the TLS audit, and their default ports.
    public static let startTLSPorts: [String: Int] = ["smtp": 25, "submission": 587, "imap": 143, "pop3": 110, "ftp": 21, "ldap": 389, "postgres": 5432]

    /// The STARTTLS dialogue to run before TLS (`smtp`, `imap`, …), nil for direct TLS.
    public var startTLS: String? { Endpoint.startTLSPorts[scheme] != nil ? (scheme == "submission" ? "smtp" : scheme) : nil }

    /// The SNI name: the host unless it is an IP literal (RFC 6066 forbids literals there).
    public var serverName: String? { isIPLiteral ? nil : host }

    /// `host:port`, with brackets around IPv6 literals.
    public var authority: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var description: String {
        scheme == "tls" ? authority : "\(scheme)://\(authority)"
    }

    /// Parses what a user types: `https://host[:port][/path]`, `http://…`, `host:port`,
    /// `host`, `1.2.3.4[:port]`, `[::1]:port`, `::1`.
    public static func parse(_ text: String) throws(SansangError) -> Endpoint {
        let input = text.trimmingCharacters(in: .whitespaces)
        guard !input.isEmpty else { throw SansangError(.invalidTarget, "empty target") }
        var scheme = "tls"
        var rest = Substring(input)
        if let range = input.range(of: "://") {
            scheme = input[..<range.lowerBound].lowercased()
            guard scheme == "https" || scheme == "http" || Endpoint.startTLSPorts[scheme] != nil else {
                let known = (["https", "http"] + Endpoint.startTLSPorts.keys.sorted()).map { "\($0)://" }.joined(separator: ", ")
                throw SansangError(.invalidTarget, "target '\(text)': unsupported scheme '\(scheme)' (use \(known) or host:port)")
            }
            rest = input[range.upperBound...]
        }
        var path = "/"
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            rest = rest[rest.index(after: at)...]  // never keep credentials from a URL
        }
        let defaultPort = scheme == "http" ? 80 : Endpoint.startTLSPorts[scheme] ?? 443
        var host: Substring
        var port = defaultPort
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw SansangError(.invalidTarget, "target '\(text)': missing ']' after IPv6 address")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw SansangError(.invalidTarget, "target '\(text)': unexpected '\(after)' after IPv6 address")
                }
                port = try parsePort(after.dropFirst(), in: text)
            }
        } else if rest.filter({ $0 == ":" }).count > 1 {
            host = rest  // bare IPv6 literal, default port
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            port = try parsePort(rest[rest.index(after: colon)...], in: text)
        } else {
            host = rest
        }
        let hostName = String(host).lowercased()
        guard !hostName.isEmpty else { throw SansangError(.invalidTarget, "target '\(text)': no host") }
        if hostName.contains(":") {
            guard IPAddress.isLiteral(hostName) else {
                throw SansangError(.invalidTarget, "target '\(text)': '\(hostName)' is not a valid IPv6 address")
            }
        } else {
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-._")
            guard hostName.allSatisfy({ allowed.contains($0) }), !hostName.hasPrefix("-"), !hostName.hasPrefix(".") else {
                throw SansangError(.invalidTarget, "target '\(text)': '\(hostName)' is not a valid host name")
            }
        }
        return Endpoint(host: hostName, port: port, scheme: scheme, path: path)
    }

    private static func parsePort(_ text: Substring, in target: String) throws(SansangError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw SansangError(.invalidTarget, "target '\(target)': port '\(text)' is not a number from 1 to 65535")
        }
        return port
    }
}

/// IP literal checks without touching the network.
public enum IPAddress {
    public static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
        }
    }

    public static func isIPv6(_ text: String) -> Bool {
        var body = Substring(text)
        if let percent = body.firstIndex(of: "%") { body = body[..<percent] }
        guard body.contains(":"), body.count <= 45 else { return false }
        let hex = Set("0123456789abcdefABCDEF")
        var groups = body.components(separatedBy: ":")
        if let last = groups.last, last.contains(".") {
            guard isIPv4(last) else { return false }
            groups.removeLast()
            groups.append(contentsOf: ["0", "0"])
        }
        let doubleColons = body.components(separatedBy: "::").count - 1
        guard doubleColons <= 1 else { return false }
        let nonEmpty = groups.filter { !$0.isEmpty }
        guard nonEmpty.allSatisfy({ $0.count <= 4 && $0.allSatisfy { hex.contains($0) } }) else { return false }
        return doubleColons == 1 ? nonEmpty.count < 8 : groups.count == 8
    }

    public static func isLiteral(_ text: String) -> Bool { isIPv4(text) || isIPv6(text) }
}
