import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SansangCore

/// A server of our own that answers a ClientHello the way an old (or hostile) server would,
/// for what Debian's OpenSSL cannot serve: SSLv2, SSLv3, RC4, EXPORT, 3DES, anonymous DH.
///
/// It speaks only up to ServerHelloDone (no key exchange, no Finished): enough for a scanner
/// that asks "would this server accept X". Listens on 127.0.0.1 and a free port, one thread
/// per connection, at most 64 at once (more are closed at once); a connection lives at most
/// 5 s, except `.silent` (30 s), `.absurdRecordLength` (~10 s) and `.hugeCertificate` (30 s).
/// `init` throws `SansangError` `.configuration` when the chain file cannot be read or holds
/// no certificate, `.io` when the socket cannot be bound. `stop()` (also run by `deinit`)
/// closes the listener and waits at most about a second for connections to end.
public final class FakeTLSServer: Sendable {
    public let config: FakeTLSConfig
    public let port: Int
    private let state: FakeTLSServerState

    /// `127.0.0.1:PORT`.
    public var target: String { "127.0.0.1:\(port)" }
    /// Connections accepted so far.
    public var acceptedConnections: Int { state.accepted }
    /// The most connections open at once, counted at each accept; a connection the client has
    /// already closed (FIN seen) does not count, though our worker may not have ended yet.
    public var maxConcurrentConnections: Int { state.peakConcurrent }

    public init(config: FakeTLSConfig) throws {
        var chain: [[UInt8]] = []
        if let path = config.certificateChainPEM {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SansangError(.configuration, "cannot read certificate chain \(path)")
            }
            chain = PEM.certificates(in: text)
            guard !chain.isEmpty else { throw SansangError(.configuration, "no certificate in \(path)") }
        }
        try Self.validate(config)
        let (fd, port) = try LabSocket.listen()
        self.config = config
        self.port = port
        state = FakeTLSServerState(listener: fd, responder: FakeTLSResponder(config: config, chain: chain))
        state.startAccepting()
    }

    deinit { state.stop() }

    public func stop() { state.stop() }

    /// Refuses what the fake cannot speak, naming the bad value.
    static func validate(_ config: FakeTLSConfig) throws {
        guard !config.versions.isEmpty else { throw SansangError(.configuration, "fake server needs at least one version") }
        let known: Set<UInt16> = [0x0002, 0x0300, 0x0301, 0x0302, 0x0303]
        if let bad = config.versions.first(where: { !known.contains($0) }) {
            throw SansangError(.configuration, "version 0x\(String(bad, radix: 16)) is not one the fake speaks (0x0002, 0x0300…0x0303)")
        }
        if config.versions.contains(where: { $0 >= 0x0300 }), config.cipherSuites.isEmpty, config.behaviour == .normal {
            throw SansangError(.configuration, "a TLS version is configured but no cipher suite")
        }
        if let bad = config.sslv2CipherKinds.first(where: { $0 > 0xFF_FFFF }) {
            throw SansangError(.configuration, "SSLv2 cipher kind 0x\(String(bad, radix: 16)) is more than 3 bytes")
        }
        guard config.sslv2CipherKinds.count <= 256, config.cipherSuites.count <= 4096 else {
            throw SansangError(.configuration, "too many cipher suites or SSLv2 kinds")
        }
        guard (512...8192).contains(config.dhBits), config.dhBits % 8 == 0 else {
            throw SansangError(.configuration, "dhBits \(config.dhBits) must be a multiple of 8 in 512…8192")
        }
    }
}

/// The shared state of a running fake server, owned by its threads (so `deinit` of the server can run).
final class FakeTLSServerState: @unchecked Sendable {
    static let maximumConnections = 64

    let responder: FakeTLSResponder
    private let listener: Int32
    private let lock = NSCondition()
    private var stopped = false
    private var acceptorDone = false
    private var active: Set<Int32> = []
    private var acceptedCount = 0
    private var peak = 0

    init(listener: Int32, responder: FakeTLSResponder) {
        self.listener = listener
        self.responder = responder
    }

    var accepted: Int { lock.lock(); defer { lock.unlock() }; return acceptedCount }
    var peakConcurrent: Int { lock.lock(); defer { lock.unlock() }; return peak }
    var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    func startAccepting() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "FakeTLSServer.accept"
        thread.start()
    }

    func stop() {
        lock.lock()
        stopped = true
        for fd in active { shutdown(fd, Int32(SHUT_RDWR)) }  // wakes workers blocked in poll
        let deadline = Date().addingTimeInterval(1.0)
        while !(acceptorDone && active.isEmpty), lock.wait(until: deadline) {}
        lock.unlock()
    }

    /// The client sent FIN or the connection is gone: it is no longer open from the client's side.
    private static func peerHasClosed(_ fd: Int32) -> Bool {
        let readHangUp: Int16 = 0x2000  // POLLRDHUP, Linux; Glibc hides it without _GNU_SOURCE
        var entry = pollfd(fd: fd, events: readHangUp, revents: 0)
        guard poll(&entry, 1, 0) > 0 else { return false }
        return entry.revents & (readHangUp | Int16(POLLHUP) | Int16(POLLERR)) != 0
    }

    private func acceptLoop() {
        defer {
            close(listener)
            lock.lock()
            acceptorDone = true
            lock.broadcast()
            lock.unlock()
        }
        while !isStopped {
            guard LabSocket.wait(listener, events: Int16(POLLIN), timeout: 0.1) else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // Glibc hides accept4; an s_server spawned meanwhile may inherit it briefly
            lock.lock()
            let admitted = !stopped && active.count < Self.maximumConnections
            if admitted {
                let open = active.filter { !Self.peerHasClosed($0) }.count + 1
                peak = max(peak, open)
                active.insert(fd)
                acceptedCount += 1
            }
            lock.unlock()
            guard admitted else {
                close(fd)
                continue
            }
            let worker = Thread { [self] in
                FakeTLSConnection(fd: fd, server: self).run()
                lock.lock()
                active.remove(fd)
                close(fd)
                lock.broadcast()
                lock.unlock()
            }
            worker.name = "FakeTLSServer.connection"
            worker.start()
        }
    }
}

/// One accepted connection: reads the hello and answers according to the behaviour.
struct FakeTLSConnection {
    let fd: Int32
    let server: FakeTLSServerState
    let started = Date()

    var responder: FakeTLSResponder { server.responder }

    func run() {
        switch responder.config.behaviour {
        case .normal:
            answer()
        case .garbage:
            _ = readHello(deadline: started.addingTimeInterval(5))
            var bytes = FakeTLSResponder.randomBytes(4096)
            bytes[0] = 0x47  // 'G': no TLS record type
            send(bytes)
        case .silent:
            _ = readHello(deadline: started.addingTimeInterval(5))
            stall(until: started.addingTimeInterval(30))
        case .reset:
            _ = readHello(deadline: started.addingTimeInterval(5))
            LabSocket.setResetOnClose(fd)
        case .absurdRecordLength:
            let hello = readHello(deadline: started.addingTimeInterval(5))
            var version: UInt16 = 0x0301
            if case .tls(let parsed, _) = hello { version = min(parsed.version, 0x0303) }
            send([22] + FakeTLSResponder.u16(version) + [0xFF, 0xFF] + [2, 0x00, 0xFF, 0xF0, 0x03, 0x01, 0x00, 0x00])
            stall(until: started.addingTimeInterval(10))
        case .hugeCertificate:
            sendHugeCertificate()
        case .plaintextHTTP:
            _ = readHello(deadline: started.addingTimeInterval(2))
            send(Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8))
        case .closeImmediately:
            break
        }
    }

    // MARK: Behaviours

    private func answer() {
        let deadline = started.addingTimeInterval(5)
        switch readHello(deadline: deadline) {
        case .tls(let hello, let recordVersion):
            switch responder.respond(to: hello, recordVersion: recordVersion) {
            case .handshake(let flight, _, _):
                send(flight)
                drain(until: deadline)
            case .alert(let alert):
                send(alert)
            case .drop:
                break
            }
        case .sslv2(let hello):
            answerSSLv2(hello, deadline: deadline)
        case .malformed:
            send(FakeTLSResponder.alert(50, version: 0x0301))  // decode_error
        case .other, .closed:
            break
        }
    }

    private func answerSSLv2(_ hello: SSLv2ClientHello, deadline: Date) {
        let tlsVersions = responder.tlsVersions
        if hello.version >= 0x0300, !tlsVersions.isEmpty {
            // A v2-compatible hello from an SSLv3/TLS client: answer in TLS.
            switch responder.respond(to: hello.asTLSHello, recordVersion: min(hello.version, 0x0301)) {
            case .handshake(let flight, _, _):
                send(flight)
                drain(until: deadline)
            case .alert(let alert):
                send(alert)
            case .drop:
                break
            }
        } else if responder.speaksSSLv2 {
            let reply = responder.respondSSLv2(to: hello)
            send(reply)
            if reply.count > 2, reply[2] == 4 { drain(until: deadline) }  // SERVER-HELLO waits; ERROR closes
        } else {
            send(FakeTLSResponder.alert(40, version: tlsVersions.first.map { min($0, 0x0301) } ?? 0x0301))
        }
    }

    private func sendHugeCertificate() {
        let deadline = started.addingTimeInterval(30)
        guard case .tls(let hello, let recordVersion) = readHello(deadline: started.addingTimeInterval(5)) else { return }
        switch responder.respond(to: hello, recordVersion: recordVersion) {
        case .drop:
            return
        case .alert(let alert):
            send(alert)
        case .handshake(_, let serverHello, let version):
            guard send(serverHello) else { return }
            // A Certificate message declaring 0xFFFFFF bytes, streamed as 16 KiB records of zeros.
            var first = [UInt8](repeating: 0, count: 16_384)
            first.replaceSubrange(0..<4, with: [11, 0xFF, 0xFF, 0xFF])
            var payload = first
            var streamed = 0
            let total = 0xFF_FFFF + 4
            while streamed < total, !server.isStopped, Date() < deadline {
                let count = min(payload.count, total - streamed)
                guard send(FakeTLSResponder.record(22, version: version, Array(payload.prefix(count)))) else { return }
                streamed += count
                payload = [UInt8](repeating: 0, count: 16_384)
                if peerClosed(wait: 0.01) { return }
            }
        }
    }

    // MARK: Reading

    enum Hello {
        case tls(ClientHello, recordVersion: UInt16)
        case sslv2(SSLv2ClientHello)
        case malformed(String)
        /// Bytes that are not a TLS or SSLv2 record (plain HTTP, say).
        case other
        /// Nothing arrived before EOF or the deadline.
        case closed
    }

    /// Reads one ClientHello, reassembled across records; refuses messages over 64 KiB.
    func readHello(deadline: Date) -> Hello {
        guard let head = LabSocket.receiveExactly(fd, count: 2, deadline: deadline) else { return .closed }
        if head[0] == 22 {
            guard let rest = LabSocket.receiveExactly(fd, count: 3, deadline: deadline) else {
                return .malformed("truncated record header")
            }
            let recordVersion = UInt16(head[1]) << 8 | UInt16(rest[0])
            var length = Int(rest[1]) << 8 | Int(rest[2])
            var handshake: [UInt8] = []
            for _ in 0..<256 {
                guard length <= 16_384 + 2048 else { return .malformed("record of \(length) bytes") }
                guard let payload = LabSocket.receiveExactly(fd, count: length, deadline: deadline) else {
                    return .malformed("truncated record")
                }
                handshake += payload
                if handshake.count >= 4 {
                    guard handshake[0] == 1 else { return .malformed("handshake type \(handshake[0]), want ClientHello") }
                    let messageLength = Int(handshake[1]) << 16 | Int(handshake[2]) << 8 | Int(handshake[3])
                    guard messageLength <= 65_536 else { return .malformed("ClientHello of \(messageLength) bytes") }
                    if handshake.count >= 4 + messageLength {
                        do {
                            let hello = try ClientHello.parse(body: Array(handshake[4..<4 + messageLength]))
                            return .tls(hello, recordVersion: recordVersion)
                        } catch {
                            return .malformed("\(error)")
                        }
                    }
                }
                guard let header = LabSocket.receiveExactly(fd, count: 5, deadline: deadline), header[0] == 22 else {
                    return .malformed("ClientHello cut short")
                }
                length = Int(header[3]) << 8 | Int(header[4])
            }
            return .malformed("ClientHello spread over too many records")
        }
        if head[0] & 0x80 != 0 {
            let length = Int(head[0] & 0x7F) << 8 | Int(head[1])
            guard let body = LabSocket.receiveExactly(fd, count: length, deadline: deadline) else {
                return .malformed("truncated SSLv2 record")
            }
            do {
                return .sslv2(try SSLv2ClientHello.parse(body: body))
            } catch {
                return .malformed("\(error)")
            }
        }
        _ = LabSocket.receive(fd, maximum: 4096, deadline: Date().addingTimeInterval(0.2))
        return .other
    }

    // MARK: Socket helpers

    @discardableResult
    private func send(_ bytes: [UInt8]) -> Bool {
        guard !server.isStopped else { return false }
        return LabSocket.sendAll(fd, bytes, deadline: Date().addingTimeInterval(2))
    }

    /// Reads and discards until the peer closes, the deadline passes or the server stops.
    private func drain(until deadline: Date) {
        while !server.isStopped, Date() < deadline {
            let slice = min(deadline, Date().addingTimeInterval(0.1))
            if LabSocket.wait(fd, events: Int16(POLLIN), timeout: slice.timeIntervalSinceNow) {
                guard LabSocket.receive(fd, maximum: 16_384, deadline: Date().addingTimeInterval(0.1)) != nil else { return }
            }
        }
    }

    /// Keeps the connection open without writing: reads are discarded, EOF or stop ends it.
    private func stall(until deadline: Date) { drain(until: deadline) }

    private func peerClosed(wait seconds: TimeInterval) -> Bool {
        guard LabSocket.wait(fd, events: Int16(POLLIN), timeout: seconds) else { return false }
        return LabSocket.receive(fd, maximum: 16_384, deadline: Date().addingTimeInterval(0.01)) == nil
    }
}

/// Certificates from PEM text, as DER, in file order.
enum PEM {
    static func certificates(in text: String) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var base64: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "-----BEGIN CERTIFICATE-----" {
                base64 = ""
            } else if trimmed == "-----END CERTIFICATE-----" {
                if let body = base64, let der = Data(base64Encoded: body) { result.append([UInt8](der)) }
                base64 = nil
            } else if base64 != nil {
                base64? += trimmed
            }
        }
        return result
    }
}
