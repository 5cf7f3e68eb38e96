import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SansangCore

/// Thin POSIX socket helpers for the lab's servers: loopback only, every wait bounded.
enum LabSocket {
    /// A listening TCP socket on 127.0.0.1 (close-on-exec, so spawned s_servers do not inherit it).
    static func listen(port: Int = 0, backlog: Int32 = 64) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SansangError(.io, "socket(): \(errnoText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let text = errnoText()
            close(fd)
            throw SansangError(.io, "bind 127.0.0.1:\(port): \(text)")
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let text = errnoText()
            close(fd)
            throw SansangError(.io, "listen: \(text)")
        }
        guard let actual = boundPort(fd) else {
            close(fd)
            throw SansangError(.io, "getsockname: \(errnoText())")
        }
        return (fd, actual)
    }

    /// A port that was free a moment ago: bind port 0, read it, close. Racy by nature; callers retry.
    static func freePort() throws -> Int {
        let (fd, port) = try listen(port: 0, backlog: 1)
        close(fd)
        return port
    }

    static func boundPort(_ fd: Int32) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard ok == 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// Connects to 127.0.0.1:port within `timeout` seconds; nil when refused or timed out.
    static func connect(port: Int, timeout: TimeInterval) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = loopback(port: port)
        let started = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if started != 0 {
            guard errno == EINPROGRESS, wait(fd, events: Int16(POLLOUT), timeout: timeout) else {
                close(fd)
                return nil
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else {
                close(fd)
                return nil
            }
        }
        setBlocking(fd)
        return fd
    }

    static func setBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
    }

    /// Waits for `events` on `fd` for at most `timeout` seconds (clamped to 0…60).
    static func wait(_ fd: Int32, events: Int16, timeout: TimeInterval) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        let millis = Int32(max(0, min(timeout, 60)) * 1000)
        while true {
            let result = poll(&entry, 1, millis)
            if result < 0, errno == EINTR { continue }
            return result > 0 && entry.revents != 0
        }
    }

    /// Sends everything before `deadline`; false when the peer went away or time ran out.
    @discardableResult
    static func sendAll(_ fd: Int32, _ bytes: [UInt8], deadline: Date) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, wait(fd, events: Int16(POLLOUT), timeout: remaining) else { return false }
            let sent = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Reads at most `maximum` bytes, waiting until `deadline`; nil on EOF, error or timeout.
    static func receive(_ fd: Int32, maximum: Int, deadline: Date) -> [UInt8]? {
        let remaining = deadline.timeIntervalSinceNow
        guard maximum > 0, remaining > 0, wait(fd, events: Int16(POLLIN), timeout: remaining) else { return nil }
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
        guard count > 0 else { return nil }
        return Array(buffer.prefix(count))
    }

    /// Reads exactly `count` bytes before `deadline`, or nil.
    static func receiveExactly(_ fd: Int32, count: Int, deadline: Date) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            guard let chunk = receive(fd, maximum: count - bytes.count, deadline: deadline) else { return nil }
            bytes += chunk
        }
        return bytes
    }

    /// Makes `close` send a TCP RST instead of a FIN.
    static func setResetOnClose(_ fd: Int32) {
        var value = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, socklen_t(MemoryLayout<linger>.size))
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
