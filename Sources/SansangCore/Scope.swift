/// An IP address as bytes (4 for IPv4, 16 for IPv6), parsed without touching the network.
public struct IPBytes: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        var body = Substring(text)
        if let percent = body.firstIndex(of: "%") { body = body[..<percent] }  // zone id: not part of the address
        if let v4 = IPBytes.parseIPv4(body) {
            bytes = v4
        } else if let v6 = IPBytes.parseIPv6(body) {
            bytes = v6
        } else {
            return nil
        }
    }

    init(raw: [UInt8]) { bytes = raw }

    public var isIPv4: Bool { bytes.count == 4 }

    /// IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as IPv4, so a scope in IPv4 covers it.
    public var unmapped: IPBytes {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return IPBytes(raw: Array(bytes[12..<16]))
        }
        return self
    }

    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        for index in stride(from: 0, to: 16, by: 2) {
            groups.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16))
        }
        // Compress the longest run of zero groups (RFC 5952).
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            if groups[index] == "0" {
                var end = index
                while end < 8 && groups[end] == "0" { end += 1 }
                if end - index > bestLength && end - index > 1 { bestStart = index; bestLength = end - index }
                index = end
            } else {
                index += 1
            }
        }
        guard bestStart >= 0 else { return groups.joined(separator: ":") }
        let head = groups[..<bestStart].joined(separator: ":")
        let tail = groups[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt8(part) else { return nil }
            out.append(value)
        }
        return out
    }

    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowV4: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowV4 && index == pieces.count - 1 && piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    out += v4
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                out += [UInt8(value >> 8), UInt8(value & 0xff)]
            }
            return out
        }
        if halves.count == 1 {
            guard let all = groups(halves[0], allowV4: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowV4: false), let tail = groups(halves[1], allowV4: true),
              head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/24`, `2001:db8::/64`); a bare address is a /32 or /128.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public let network: IPBytes
    public let prefix: Int

    /// The most addresses `addresses(limit:)` expands by default.
    public static let defaultExpansionLimit = 4096

    public init(_ text: String) throws(SansangError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let first = parts.first, let address = IPBytes(String(first)) else {
            throw SansangError(.invalidTarget, "'\(text)' is not a network: expected an IPv4 or IPv6 address, optionally with /prefix (10.0.0.0/24, 2001:db8::/64)")
        }
        let bits = address.bytes.count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), parts[1].allSatisfy(\.isNumber), (0...bits).contains(value) else {
                throw SansangError(.invalidTarget, "'\(text)': prefix '/\(parts[1])' must be a number from 0 to \(bits)")
            }
            prefix = value
        }
        let masked = CIDR.mask(address.bytes, prefix: prefix)
        guard masked == address.bytes else {
            throw SansangError(.invalidTarget, "'\(text)': host bits are set; the network is \(IPBytes(raw: masked))/\(prefix)")
        }
        self.network = address
        self.prefix = prefix
    }

    public var description: String { "\(network)/\(prefix)" }

    /// True when `text` looks like a CIDR block (address/prefix), not a URL path.
    public static func looksLikeCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && IPBytes(String(parts[0])) != nil && !parts[1].isEmpty && parts[1].allSatisfy(\.isNumber)
    }

    public func contains(_ address: IPBytes) -> Bool {
        let candidate = address.unmapped
        guard candidate.bytes.count == network.bytes.count else { return false }
        return CIDR.mask(candidate.bytes, prefix: prefix) == network.bytes
    }

    /// Number of addresses in the block (saturating).
    public var size: Int {
        let hostBits = network.bytes.count * 8 - prefix
        return hostBits >= 62 ? Int.max : 1 << hostBits
    }

    /// Every address in the block, network and broadcast included (as nmap scans them).
    /// Throws `limitExceeded` when the block holds more than `limit` addresses.
    public func addresses(limit: Int = CIDR.defaultExpansionLimit) throws(SansangError) -> [IPBytes] {
        guard size <= limit else {
            throw SansangError(.limitExceeded, "network \(self) holds \(size == Int.max ? "too many" : String(size)) addresses; at most \(limit) can be scanned in one run (split it into smaller blocks)")
        }
        var out: [IPBytes] = []
        out.reserveCapacity(size)
        var current = network.bytes
        for _ in 0..<size {
            out.append(IPBytes(raw: current))
            var index = current.count - 1
            while index >= 0 {  // big-endian increment
                current[index] &+= 1
                if current[index] != 0 { break }
                index -= 1
            }
        }
        return out
    }

    static func mask(_ bytes: [UInt8], prefix: Int) -> [UInt8] {
        var out = bytes
        for index in out.indices {
            let bitsHere = min(8, max(0, prefix - index * 8))
            let keep: UInt8 = bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsHere))
            out[index] &= keep
        }
        return out
    }
}

/// What may be scanned: networks, host names, and the written authorisation that allows it.
/// Pure: callers resolve names and hand the addresses in.
public struct Scope: Sendable, Hashable, CustomStringConvertible {
    public var networks: [CIDR]
    /// Lower-case host names; `*.example.gov.vn` allows every name under that domain.
    public var hostNames: Set<String>
    /// The authorisation's number (`123/QĐ-UBND`) and date, shown with every refusal and report.
    public var authorisation: String?
    public var authorisationDate: String?

    public init(networks: [CIDR] = [], hostNames: Set<String> = [], authorisation: String? = nil, authorisationDate: String? = nil) {
        self.networks = networks
        self.hostNames = Set(hostNames.map { $0.lowercased() })
        self.authorisation = authorisation
        self.authorisationDate = authorisationDate
    }

    /// Parses `--scope 10.0.0.0/24,192.0.2.7,portal.example.gov.vn,*.tinh.gov.vn`.
    public static func parse(_ list: String) throws(SansangError) -> Scope {
        var scope = Scope()
        for raw in list.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if item.isEmpty { continue }
            if item.contains("/") || IPBytes(item) != nil {
                scope.networks.append(try CIDR(item))
            } else {
                let name = item.hasPrefix("*.") ? String(item.dropFirst(2)) : item
                let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
                guard !name.isEmpty, name.allSatisfy({ allowed.contains($0) }), !name.hasPrefix("."), !name.hasPrefix("-") else {
                    throw SansangError(.invalidTarget, "scope entry '\(raw)' is neither a network (10.0.0.0/24) nor a host name")
                }
                scope.hostNames.insert(item)
            }
        }
        guard !scope.networks.isEmpty || !scope.hostNames.isEmpty else {
            throw SansangError(.invalidTarget, "the scope is empty: give networks (10.0.0.0/24) and/or host names")
        }
        return scope
    }

    public var description: String {
        var parts = networks.map(\.description) + hostNames.sorted()
        if parts.count > 8 { parts = Array(parts.prefix(8)) + ["…"] }
        var text = parts.joined(separator: ", ")
        if let authorisation { text += " (authorisation \(authorisation)\(authorisationDate.map { " of \($0)" } ?? ""))" }
        return text
    }

    /// True when an address literal lies in one of the networks.
    public func permits(address: String) -> Bool {
        guard let bytes = IPBytes(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// True when a host name is listed (exactly or under a `*.` entry), or an IP literal lies in a network.
    public func permits(host: String) -> Bool {
        let name = host.lowercased()
        if IPBytes(name) != nil { return permits(address: name) }
        if hostNames.contains(name) { return true }
        var suffix = Substring(name)
        while let dot = suffix.firstIndex(of: ".") {
            suffix = suffix[suffix.index(after: dot)...]
            if hostNames.contains("*." + suffix) { return true }
        }
        return false
    }

    /// Decides whether `host` may be scanned, given the addresses it resolved to (empty when not resolved).
    /// An IP literal must lie in a network. A name must be listed or resolve only into the networks;
    /// when networks are given, every resolved address must lie in them, listed name or not.
    public func check(host: String, resolved: [String]) throws(SansangError) {
        let name = host.lowercased()
        if IPBytes(name) != nil {
            guard permits(address: name) else { throw refusal(host, "address \(host) is outside the scope") }
            return
        }
        let listed = permits(host: name)
        if networks.isEmpty {
            guard listed else { throw refusal(host, "host name '\(host)' is not listed in the scope") }
            return
        }
        guard !resolved.isEmpty else {
            if listed { return }
            throw refusal(host, "host name '\(host)' is not listed in the scope and its addresses are unknown")
        }
        if let outside = resolved.first(where: { !permits(address: $0) }) {
            throw refusal(host, "'\(host)' resolves to \(outside), which is outside the scope")
        }
    }

    private func refusal(_ host: String, _ reason: String) -> SansangError {
        SansangError(.outOfScope, "refusing to scan '\(host)': \(reason) [\(description)]; nothing was sent to it")
    }
}

extension Endpoint {
    /// Parses a target as `parse` does, and expands a CIDR block (`10.0.0.0/30`) into one endpoint
    /// per address (port 443, or `defaultPort`), at most `limit` addresses.
    public static func targets(_ text: String, defaultPort: Int = 443, limit: Int = CIDR.defaultExpansionLimit) throws(SansangError) -> [Endpoint] {
        let input = text.trimmingCharacters(in: .whitespaces)
        guard !input.contains("://"), CIDR.looksLikeCIDR(input) else { return [try Endpoint.parse(input)] }
        let block = try CIDR(input)
        return try block.addresses(limit: limit).map { Endpoint(host: $0.description, port: defaultPort) }
    }
}
