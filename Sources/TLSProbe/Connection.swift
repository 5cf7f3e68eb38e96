import Foundation
import SansangCore
#if canImport(Glibc)
import Glibc
#endif

/// A resolved socket address, reused for every connection to one endpoint.
struct SocketAddress: Sendable, CustomStringConvertible {
    var storage: sockaddr_storage
    var length: socklen_t
    var family: Int32
    var description: String

    /// Resolves `host` (a name or an IP literal); literals never touch DNS.
    static func resolve(host: String, port: Int) throws(SansangError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        if IPAddress.isLiteral(host) { hints.ai_flags = AI_NUMERICHOST }
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            let message = String(cString: gai_strerror(status))
            throw SansangError(.resolution, "cannot resolve '\(host)': \(message)")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor, addresses.count < 16 {
            if let sockaddrPointer = info.pointee.ai_addr {
                var storage = sockaddr_storage()
                let length = info.pointee.ai_addrlen
                withUnsafeMutableBytes(of: &storage) { raw in
                    raw.copyMemory(from: UnsafeRawBufferPointer(start: sockaddrPointer, count: Int(length)))
                }
                var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                getnameinfo(sockaddrPointer, length, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST)
                let name = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                addresses.append(SocketAddress(storage: storage, length: length, family: info.pointee.ai_family, description: name))
            }
            cursor = info.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw SansangError(.resolution, "'\(host)' resolved to no address") }
        return addresses
    }
}

/// One TCP connection with every operation bounded by a deadline (non-blocking socket and poll).
final class TCPConnection {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    static func open(_ address: SocketAddress, timeout: Duration) throws(SansangError) -> TCPConnection {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SansangError(.connection, "socket(): \(String(cString: strerror(errno)))") }
        let connection = TCPConnection(fd: fd)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
        }
        if result != 0 {
            guard errno == EINPROGRESS else {
                throw connectError(errno, address)
            }
            let deadline = ContinuousClock.now + timeout
            guard try connection.wait(for: Int16(POLLOUT), until: deadline) else {
                throw SansangError(.timeout, "no TCP answer from \(address) within \(timeout.seconds) s (filtered or down)")
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 { throw connectError(error, address) }
        }
        return connection
    }

    private static func connectError(_ code: Int32, _ address: SocketAddress) -> SansangError {
        let text = String(cString: strerror(code))
        if code == ECONNREFUSED { return SansangError(.connection, "connection refused by \(address) (nothing listens on that port)") }
        if code == ETIMEDOUT { return SansangError(.timeout, "connection to \(address) timed out") }
        return SansangError(.connection, "cannot connect to \(address): \(text)")
    }

    /// Waits until the socket is ready; false on timeout.
    func wait(for events: Int16, until deadline: ContinuousClock.Instant) throws(SansangError) -> Bool {
        var attempts = 0
        while attempts < 10_000 {
            attempts += 1
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return false }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let millis = Int32(clamping: max(1, left.milliseconds))
            let ready = poll(&descriptor, 1, millis)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR {
                throw SansangError(.connection, "poll(): \(String(cString: strerror(errno)))")
            }
        }
        return false
    }

    func send(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) throws(SansangError) {
        var sent = 0
        while sent < bytes.count {
            guard try wait(for: Int16(POLLOUT), until: deadline) else {
                throw SansangError(.timeout, "the server did not accept data before the deadline")
            }
            let written = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                if errno == ECONNRESET || errno == EPIPE { throw SansangError(.connection, "the server reset the connection") }
                throw SansangError(.connection, "send(): \(String(cString: strerror(errno)))")
            }
            sent += written
        }
    }

    /// Reads what is available, waiting until the deadline; an empty array means the peer closed.
    func receive(max: Int = 65536, until deadline: ContinuousClock.Instant) throws(SansangError) -> [UInt8]? {
        guard try wait(for: Int16(POLLIN), until: deadline) else { return nil }
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return Array(buffer.prefix(count)) }
            if errno == EINTR { continue }
            if errno == EAGAIN { return try receive(max: max, until: deadline) }
            if errno == ECONNRESET { throw SansangError(.connection, "the server reset the connection") }
            throw SansangError(.connection, "recv(): \(String(cString: strerror(errno)))")
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }

    var seconds: String {
        let ms = milliseconds
        return ms % 1000 == 0 ? String(ms / 1000) : String(format: "%.1f", Double(ms) / 1000)
    }
}

/// Runs blocking socket and OpenSSL work off the cooperative pool.
enum Blocking {
    private static let queue = DispatchQueue(label: "sansang.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
