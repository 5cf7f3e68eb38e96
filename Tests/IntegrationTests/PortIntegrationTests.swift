import Engine
import Foundation
import PortProbe
import Rules
import SansangCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on a loopback address that plays a scripted service to every client.
final class FakeService: @unchecked Sendable {
    let host: String
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var stopped = false
    private var acceptedCount = 0
    private let done = DispatchSemaphore(value: 0)

    var accepted: Int { lock.withLock { acceptedCount } }

    /// Binds `host:preferredPort` (a well-known port, root only), else an ephemeral port.
    init(host: String, preferredPort: Int, behaviour: @escaping @Sendable (Int32) -> Void) throws {
        self.host = host
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0 else { throw SansangError(.io, "socket() failed") }
        var one: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        func bindTo(_ port: Int) -> Int? {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr(host)
            address.sin_port = in_port_t(UInt16(port)).bigEndian
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0 }
            }
            return ok ? Int(UInt16(bigEndian: address.sin_port)) : nil
        }
        guard let bound = bindTo(preferredPort) ?? bindTo(0), listen(socketFD, 64) == 0 else {
            close(socketFD)
            throw SansangError(.io, "cannot listen on \(host)")
        }
        fd = socketFD
        port = bound
        let thread = Thread { [self] in
            var rounds = 0
            while rounds < 100_000 {
                rounds += 1
                if lock.withLock({ stopped }) { break }
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 50) > 0 else { continue }
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                lock.withLock { acceptedCount += 1 }
                var timeout = timeval(tv_sec: 3, tv_usec: 0)
                setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                Thread.detachNewThread {
                    behaviour(client)
                    close(client)
                }
            }
            done.signal()
        }
        thread.start()
    }

    func stop() {
        lock.withLock { stopped = true }
        _ = done.wait(timeout: .now() + 5)
        close(fd)
    }

    static func send(_ client: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    static func send(_ client: Int32, _ text: String) { send(client, Array(text.utf8)) }

    /// Reads what arrives (up to 4 KiB, 3 s); empty on close or timeout.
    static func read(_ client: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer.prefix(count)) : []
    }

    /// Waits until the client closes (or 3 s pass).
    static func hold(_ client: Int32) {
        var rounds = 0
        while rounds < 10, !read(client).isEmpty { rounds += 1 }
    }
}

enum FakeBanners {
    static func mysqlHandshake(_ version: String) -> [UInt8] {
        var payload: [UInt8] = [10] + Array(version.utf8) + [0]
        payload += [7, 0, 0, 0] + Array("abcdefgh".utf8) + [0] + [0xFF, 0xF7, 0x21, 0x02, 0x00, 0xFF, 0x81, 21]
        payload += [UInt8](repeating: 0, count: 10) + Array("ijklmnopqrst".utf8) + [0] + Array("mysql_native_password".utf8) + [0]
        return [UInt8(payload.count), 0, 0, 0] + payload
    }

    static let weakKexinit = SSHWire.kexinitPacket(
        kex: ["diffie-hellman-group-exchange-sha256", "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1"],
        hostKeys: ["ssh-rsa", "ecdsa-sha2-nistp256"],
        ciphers: ["aes128-ctr", "aes128-cbc", "3des-cbc"],
        macs: ["hmac-sha2-256", "hmac-sha1", "hmac-md5"]
    )
}

@Suite(.serialized) struct PortIntegrationTests {
    /// A loopback address of its own per run, so parallel runs and real services never collide.
    static let lab = "127.77.\(Int.random(in: 1...250)).\(Int.random(in: 1...250))"

    static func context(_ ports: [Int], scope: String? = nil) throws -> ProbeContext {
        var context = ProbeContext(connectionTimeout: .seconds(2), endpointTimeout: .seconds(30))
        context.ports = ports.map(String.init).joined(separator: ",")
        context.portConnectRate = 0
        context.portConnectRateOverall = 0
        context.scope = try scope.map(Scope.parse)
        return context
    }

    @Test func identifiesRealisticServicesOnLoopback() async throws {
        let host = Self.lab
        var services: [FakeService] = []
        defer { for service in services { service.stop() } }
        let ftp = try FakeService(host: host, preferredPort: 21) { client in
            FakeService.send(client, "220 ProFTPD 1.3.5 Server (Debian) [127.0.0.1]\r\n")
            let command = String(decoding: FakeService.read(client), as: UTF8.self)
            FakeService.send(client, command.hasPrefix("AUTH TLS") ? "500 AUTH not understood\r\n" : "530 Please login\r\n")
            FakeService.hold(client)
        }
        services.append(ftp)
        let telnet = try FakeService(host: host, preferredPort: 23) { client in
            FakeService.send(client, [0xFF, 0xFD, 0x18, 0xFF, 0xFD, 0x20, 0xFF, 0xFD, 0x23, 0xFF, 0xFD, 0x27])
            FakeService.hold(client)
        }
        services.append(telnet)
        let redis = try FakeService(host: host, preferredPort: 6379) { client in
            var rounds = 0
            while rounds < 5 {
                rounds += 1
                let line = String(decoding: FakeService.read(client), as: UTF8.self)
                if line.isEmpty { break }
                FakeService.send(client, line.hasPrefix("PING") ? "-NOAUTH Authentication required.\r\n" : "-NOAUTH Authentication required.\r\n")
            }
        }
        services.append(redis)
        let mysql = try FakeService(host: host, preferredPort: 3306) { client in
            FakeService.send(client, FakeBanners.mysqlHandshake("5.7.33"))
            FakeService.hold(client)
        }
        services.append(mysql)
        let ssh = try FakeService(host: host, preferredPort: 22) { client in
            FakeService.send(client, "SSH-2.0-OpenSSH_7.4\r\n")
            let hello = FakeService.read(client)
            guard String(decoding: hello, as: UTF8.self).hasPrefix("SSH-2.0-sansang") else { return }
            let packet = FakeBanners.weakKexinit
            FakeService.send(client, Array(packet.prefix(40)))  // in two pieces, as TCP may deliver it
            usleep(50_000)
            FakeService.send(client, Array(packet.dropFirst(40)))
            FakeService.hold(client)
        }
        services.append(ssh)
        let silent = try FakeService(host: host, preferredPort: 8081) { client in FakeService.hold(client) }
        services.append(silent)
        let closed = silent.port + 1 == ftp.port ? silent.port + 2 : silent.port + 1  // nothing listens there on this address
        let ports = services.map(\.port) + [closed]

        let attempt = await PortProbe().scan(Endpoint(host: host, port: 443), try Self.context(ports))
        let facts = try #require(attempt.facts, "\(String(describing: attempt.failure))")
        func result(_ port: Int) -> PortResult? { facts.ports.first { $0.port == port } }

        #expect(facts.counts.open == 6)
        #expect(facts.counts.closed == 1)
        #expect(result(closed)?.state == .closed)
        #expect(result(ftp.port)?.service == "ftp")
        #expect(result(ftp.port)?.product == "ProFTPD")
        #expect(result(ftp.port)?.version == "1.3.5")
        #expect(result(ftp.port)?.startTLS == false)
        #expect(result(ftp.port)?.banner?.hasPrefix("220 ProFTPD 1.3.5 Server") == true)
        #expect(result(telnet.port)?.service == "telnet")
        #expect(result(redis.port)?.service == "redis")
        #expect(result(mysql.port)?.service == "mysql")
        #expect(result(mysql.port)?.version == "5.7.33")
        #expect(result(ssh.port)?.service == "ssh")
        #expect(result(ssh.port)?.version == "7.4")
        let kex = try #require(result(ssh.port)?.ssh)
        #expect(kex.versionString == "SSH-2.0-OpenSSH_7.4")
        #expect(kex.kexAlgorithms.contains("diffie-hellman-group1-sha1"))
        #expect(kex.ciphers.contains("3des-cbc"))
        #expect(result(silent.port)?.state == .open)
        #expect(result(silent.port)?.banner == nil)
        #expect(facts.ports.allSatisfy { $0.milliseconds >= 0 })

        // The whole pipeline: rules judge what the probe saw.
        var options = ScanOptions(context: try Self.context(ports), checks: ["ports"])
        options.allowedPorts = [443]
        let endpoint = await ScanRunner(options: options).scan(Endpoint(host: host, port: 443))
        let ids = Set(endpoint.findings.map(\.ruleId))
        for id in ["port.exposed.database", "port.exposed.remote-admin", "port.cleartext.telnet", "port.cleartext.ftp", "port.exposed.unexpected",
                   "ssh.kex.sha1", "ssh.cipher.cbc", "ssh.hostkey.ssh-rsa", "ssh.mac.weak"] {
            #expect(ids.contains(id), "missing \(id)")
        }
        #expect(!ids.contains("ssh.protocol.v1"))
        #expect(endpoint.complete)
    }

    @Test func filteredPortsTimeOut() async throws {
        // A listener whose backlog is full stops answering SYNs: the kernel drops them, as a firewall would.
        let host = Self.lab
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound && listen(fd, 0) == 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        var fillers: [Int32] = []
        defer { for filler in fillers { close(filler) } }
        for _ in 0..<4 {  // fill the accept queue
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) } }
            fillers.append(filler)
        }
        usleep(100_000)
        var context = try Self.context([port])
        context.connectionTimeout = .milliseconds(700)
        let started = ContinuousClock.now
        let facts = try #require(await PortProbe().scan(Endpoint(host: host, port: 443), context).facts)
        #expect(facts.ports.first?.state == .filtered)
        #expect((facts.ports.first?.milliseconds ?? 0) >= 600)
        #expect(started.duration(to: .now) < .seconds(5))
    }

    @Test func scopeRefusesBeforeSendingAnything() async throws {
        let host = Self.lab
        let listener = try FakeService(host: host, preferredPort: 0) { client in FakeService.hold(client) }
        defer { listener.stop() }
        let attempt = await PortProbe().scan(Endpoint(host: host, port: 443), try Self.context([listener.port], scope: "127.0.0.1/32"))
        #expect(attempt.failure?.kind == "scope")
        #expect(attempt.failure?.reason.contains(host) == true)
        #expect(listener.accepted == 0)
        // A name resolving outside the scope is refused too.
        let named = await PortProbe().scan(Endpoint(host: "localhost", port: 443), try Self.context([listener.port], scope: "localhost,127.77.0.0/16"))
        #expect(named.failure?.kind == "scope")
        #expect(throws: SansangError(.outOfScope, "")) {
            try ScopeGate.enforce(try Scope.parse("127.0.0.0/30"), on: try Endpoint.targets("127.0.0.0/29"))
        }
        try ScopeGate.enforce(try Scope.parse("127.0.0.0/30"), on: try Endpoint.targets("127.0.0.0/30"))
    }

    @Test func scansACIDRBlock() async throws {
        let base = "127.78.\(Int.random(in: 1...250))"
        let listener = try FakeService(host: "\(base).1", preferredPort: 0) { client in FakeService.send(client, "220 (vsFTPd 3.0.3)\r\n"); FakeService.hold(client) }
        defer { listener.stop() }
        let endpoints = try Endpoint.targets("\(base).0/30")
        #expect(endpoints.count == 4)
        let report = await ScanRunner(options: ScanOptions(context: try Self.context([listener.port]), checks: ["ports"])).run(endpoints)
        let open = report.endpoints.map { $0.facts[PortFacts.self]?.facts?.counts.open ?? -1 }
        #expect(open == [0, 1, 0, 0])
        #expect(report.endpoints[1].findings.contains { $0.ruleId == "port.cleartext.ftp" })
    }
}
