import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plaintext front for a TLS backend: speaks the server side of a STARTTLS dialogue (SMTP, IMAP,
/// POP3, FTP, LDAP, PostgreSQL), then relays bytes both ways to `openssl s_server` on `backendPort`.
/// For tests of the TLS audit over STARTTLS; one thread per connection, every wait bounded.
public final class StartTLSFront: @unchecked Sendable {
    public let port: Int
    public let protocolName: String
    /// Whether to advertise and accept STARTTLS (false: an SMTP server that does not offer it).
    public let offersStartTLS: Bool
    private let backendPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var stopped = false

    public var target: String { "127.0.0.1:\(port)" }

    public init(protocolName: String, backendPort: Int, offersStartTLS: Bool = true) throws {
        let (fd, port) = try LabSocket.listen()
        self.listener = fd
        self.port = port
        self.protocolName = protocolName
        self.backendPort = backendPort
        self.offersStartTLS = offersStartTLS
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        var accepted = 0
        while !isStopped && accepted < 10_000 {
            guard LabSocket.wait(listener, events: Int16(POLLIN), timeout: 0.2) else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            accepted += 1
            LabSocket.setBlocking(client)
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        let deadline = Date().addingTimeInterval(10)
        func say(_ text: String) { _ = LabSocket.sendAll(client, Array(text.utf8), deadline: deadline) }
        func readLine() -> String? {
            var line: [UInt8] = []
            while line.count < 4096, Date() < deadline {
                guard let byte = LabSocket.receiveExactly(client, count: 1, deadline: deadline)?.first else { return nil }
                if byte == 0x0A { return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
                line.append(byte)
            }
            return nil
        }
        switch protocolName {
        case "smtp":
            say("220 mail.demo.invalid ESMTP Postfix\r\n")
            guard readLine()?.uppercased().hasPrefix("EHLO") == true else { return }
            say("250-mail.demo.invalid\r\n250-PIPELINING\r\n" + (offersStartTLS ? "250-STARTTLS\r\n" : "") + "250 8BITMIME\r\n")
            guard offersStartTLS, readLine()?.uppercased() == "STARTTLS" else { return }
            say("220 2.0.0 Ready to start TLS\r\n")
        case "imap":
            say("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n")
            guard let line = readLine(), line.uppercased().hasSuffix("STARTTLS") else { return }
            let tag = line.split(separator: " ").first.map(String.init) ?? "a"
            say("\(tag) OK Begin TLS negotiation now.\r\n")
        case "pop3":
            say("+OK Dovecot ready.\r\n")
            guard readLine()?.uppercased() == "STLS" else { return }
            say("+OK Begin TLS negotiation now.\r\n")
        case "ftp":
            say("220-Welcome\r\n220 ProFTPD Server ready.\r\n")
            guard readLine()?.uppercased() == "AUTH TLS" else { return }
            say("234 AUTH TLS successful\r\n")
        case "ldap":
            guard let request = LabSocket.receive(client, maximum: 512, deadline: deadline), request.count > 8 else { return }
            // ExtendedResponse, message id 1, resultCode success, empty matchedDN and message.
            _ = LabSocket.sendAll(client, [0x30, 0x0C, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0A, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00], deadline: deadline)
        case "postgres":
            guard let request = LabSocket.receiveExactly(client, count: 8, deadline: deadline), request == [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F] else { return }
            _ = LabSocket.sendAll(client, [UInt8(ascii: "S")], deadline: deadline)
        default:
            return
        }
        guard let backend = LabSocket.connect(port: backendPort, timeout: 2) else { return }
        defer { close(backend) }
        LabSocket.setBlocking(backend)
        relay(client, backend, until: deadline)
    }

    /// Copies bytes both ways until either side closes or the deadline passes.
    private func relay(_ a: Int32, _ b: Int32, until deadline: Date) {
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 16384)
        var rounds = 0
        while Date() < deadline && rounds < 100_000 {
            rounds += 1
            fds[0].revents = 0
            fds[1].revents = 0
            guard poll(&fds, 2, 200) >= 0 else { return }
            for (index, item) in fds.enumerated() where item.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(item.fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return }
                let other = index == 0 ? b : a
                guard LabSocket.sendAll(other, Array(buffer.prefix(count)), deadline: deadline) else { return }
            }
        }
    }
}
