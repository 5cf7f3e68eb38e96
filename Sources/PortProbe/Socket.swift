import Foundation
import SansangCore
#if canImport(Glibc)
import Glibc
#endif

/// One resolved IP address of a host; builds a `sockaddr` for any port.
struct HostAddress: Sendable, CustomStringConvertible {
    let family: Int32
    /// 4 or 16 bytes, network order.
    let bytes: [UInt8]
    let scopeID: UInt32

    var description: String { IPBytes(bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : ipv6Text)?.description ?? "?" }

    private var ipv6Text: String {
        stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }

    /// Resolves a name or an IP literal (literals never touch DNS); at most 16 addresses.
    static func resolve(_ host: String) throws(SansangError) -> [HostAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        if IPAddress.isLiteral(host) { hints.ai_flags = AI_NUMERICHOST }
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else {
            throw SansangError(.resolution, "cannot resolve '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var out: [HostAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        var steps = 0
        while let info = cursor, steps < 64, out.count < 16 {
            steps += 1
            cursor = info.pointee.ai_next
            guard let raw = info.pointee.ai_addr else { continue }
            let address: HostAddress?
            switch info.pointee.ai_family {
            case AF_INET:
                address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    let value = pointer.pointee.sin_addr.s_addr  // network order in memory
                    return HostAddress(family: AF_INET, bytes: withUnsafeBytes(of: value) { Array($0) }, scopeID: 0)
                }
            case AF_INET6:
                address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    let value = pointer.pointee.sin6_addr
                    return HostAddress(family: AF_INET6, bytes: withUnsafeBytes(of: value) { Array($0) }, scopeID: pointer.pointee.sin6_scope_id)
                }
            default:
                address = nil
            }
            if let address, !out.contains(where: { $0.bytes == address.bytes }) { out.append(address) }
        }
        guard !out.isEmpty else { throw SansangError(.resolution, "'\(host)' resolved to no address") }
        return out
    }

    /// Calls `body` with a sockaddr for `port`.
    func withSockaddr<T>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
            withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: bytes.prefix(4)) }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        address.sin6_scope_id = scopeID
        withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: bytes.prefix(16)) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }
}

enum SocketOps {
    /// A non-blocking, close-on-exec TCP socket, or -1.
    static func nonBlockingSocket(family: Int32) -> Int32 {
        socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    /// Closes with a reset instead of FIN, so a scan leaves no TIME_WAIT sockets behind.
    static func abort(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
    }

    static func pendingError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 { return errno }
        return error
    }

    /// True when a loopback connection reached itself (source port = destination port, TCP simultaneous open).
    static func isSelfConnected(_ fd: Int32) -> Bool {
        var local = sockaddr_storage(), peer = sockaddr_storage()
        var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size), peerLength = localLength
        let a = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &localLength) } }
        let b = withUnsafeMutablePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &peerLength) } }
        guard a == 0, b == 0, localLength == peerLength else { return false }
        return withUnsafeBytes(of: &local) { l in withUnsafeBytes(of: &peer) { p in l.prefix(Int(localLength)).elementsEqual(p.prefix(Int(peerLength))) } }
    }

    /// How many descriptors this process may still open, roughly (the soft RLIMIT_NOFILE).
    static var descriptorLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return limit.rlim_cur == rlim_t.max ? 65536 : Int(clamping: limit.rlim_cur)
    }
}

/// A blocking-style TCP connection for banner grabs and light probes: every call has a deadline.
final class ProbeConnection {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }
    deinit { SocketOps.abort(fd) }

    static func open(_ address: HostAddress, port: Int, timeout: Duration) throws(SansangError) -> ProbeConnection {
        let fd = SocketOps.nonBlockingSocket(family: address.family)
        guard fd >= 0 else { throw SansangError(.connection, "socket(): \(String(cString: strerror(errno)))") }
        let connection = ProbeConnection(fd: fd)
        let result = address.withSockaddr(port: port) { Glibc.connect(fd, $0, $1) }
        if result != 0 {
            guard errno == EINPROGRESS else { throw SansangError(.connection, "port \(port): \(String(cString: strerror(errno)))") }
            guard connection.wait(Int16(POLLOUT), until: .now + timeout) else {
                throw SansangError(.timeout, "port \(port): no TCP answer within \(timeout)")
            }
            let error = SocketOps.pendingError(fd)
            if error != 0 { throw SansangError(.connection, "port \(port): \(String(cString: strerror(error)))") }
        }
        return connection
    }

    func wait(_ events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        var rounds = 0
        while rounds < 1000 {
            rounds += 1
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return false }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(clamping: max(1, left.wholeMilliseconds)))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
        return false
    }

    func send(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) throws(SansangError) {
        var sent = 0
        var rounds = 0
        while sent < bytes.count && rounds < 1000 {
            rounds += 1
            guard wait(Int16(POLLOUT), until: deadline) else { throw SansangError(.timeout, "the service did not take our bytes in time") }
            let written = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw SansangError(.connection, "send(): \(String(cString: strerror(errno)))")
            }
            sent += written
        }
    }

    /// Reads until `complete(buffer)` says so, the peer closes, `limit` bytes arrive, or the deadline passes.
    /// Returns what arrived (possibly nothing) and whether the peer closed.
    func read(limit: Int, until deadline: ContinuousClock.Instant, complete: ([UInt8]) -> Bool = { _ in false }) -> (bytes: [UInt8], closed: Bool) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var rounds = 0
        while buffer.count < limit && rounds < 4096 {
            rounds += 1
            guard wait(Int16(POLLIN), until: deadline) else { return (buffer, false) }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, limit - buffer.count), 0) }
            if count == 0 { return (buffer, true) }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return (buffer, true)
            }
            buffer += chunk.prefix(count)
            if complete(buffer) { break }
        }
        return (buffer, false)
    }
}

extension Duration {
    var wholeMilliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}

/// Runs blocking socket work off the cooperative pool.
enum Blocking {
    private static let queue = DispatchQueue(label: "sansang.ports", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
