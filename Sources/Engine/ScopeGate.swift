public import SansangCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Refuses a run before anything is sent when a target, or an address a target name resolves
/// to, lies outside the scope. The decision itself is `Scope.check` (pure); this adds resolution.
public enum ScopeGate {
    /// Throws `outOfScope` naming the first target outside `scope`.
    public static func enforce(_ scope: Scope, on endpoints: [Endpoint], resolve: @Sendable (String) -> [String] = ScopeGate.addresses) throws(SansangError) {
        var checked = Set<String>()
        for endpoint in endpoints where checked.insert(endpoint.host).inserted {
            let resolved = IPAddress.isLiteral(endpoint.host) ? [endpoint.host] : resolve(endpoint.host)
            try scope.check(host: endpoint.host, resolved: resolved)
        }
    }

    /// The addresses a name resolves to (numeric text), or none.
    @Sendable public static func addresses(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        var steps = 0
        while let info = cursor, steps < 64 {
            steps += 1
            cursor = info.pointee.ai_next
            guard let address = info.pointee.ai_addr else { continue }
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(address, info.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let name = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !out.contains(name) { out.append(name) }
        }
        return out
    }
}
