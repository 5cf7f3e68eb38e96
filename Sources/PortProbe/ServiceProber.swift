import Foundation
import SansangCore

/// Identifies what listens on an open port: first waits for a greeting, then sends at most two
/// light probes chosen by the port number. Each connection and read has a deadline; at most
/// 64 KiB is read per port.
struct ServiceProber: Sendable {
    let address: HostAddress
    let host: String
    let connectTimeout: Duration
    let readTimeout: Duration
    /// How long to wait for a greeting from a port whose usual service does not greet.
    let greetingWait: Duration
    let buckets: [TokenBucket]
    let deadline: ContinuousClock.Instant

    static let readLimit = 16 * 1024

    func identify(_ result: inout PortResult) -> Int {
        var connections = 0
        let port = result.port
        let hint = ServiceHints.byPort[port]
        func open() -> ProbeConnection? {
            guard ContinuousClock.now < deadline, TokenBucket.acquire(buckets, until: deadline) else {
                result.notes.append("identification stopped: the time budget ran out")
                return nil
            }
            connections += 1
            do throws(SansangError) {
                return try ProbeConnection.open(address, port: port, timeout: connectTimeout)
            } catch {
                result.notes.append("reconnect failed: \(error.reason)")
                return nil
            }
        }
        func until(_ wait: Duration) -> ContinuousClock.Instant { min(deadline, .now + wait) }

        // 1. Does the service speak first?
        guard let first = open() else { return connections }
        let wait = hint.map { ServiceHints.greets.contains($0) } == true ? readTimeout : greetingWait
        let greeting = first.read(limit: 4096, until: until(wait)) { bytes in
            bytes.contains(0x0A) || bytes.first == 0xFF || ServiceWire.mysqlGreeting(bytes) != nil
        }
        if !greeting.bytes.isEmpty {
            result.banner = ServiceWire.printable(greeting.bytes)
            if var id = ServiceWire.classify(banner: greeting.bytes) {
                if id.service == "ftp-or-smtp" { id.service = hint == "smtp" || hint == "smtps" ? "smtp" : "ftp" }
                apply(id, by: "banner", to: &result)
                if !greeting.closed { converse(first, service: id.service, greeting: greeting.bytes, result: &result) }
            } else if let hint {
                apply(Identification(hint), by: "port", to: &result)
            }
            return connections
        }
        if greeting.closed { result.notes.append("the service closed the connection without sending anything") }

        // 2. Light probes, most likely first.
        for probe in ServiceHints.probes(for: port) {
            if probe == ServiceHints.Probe.http, result.tls == true { break }
            guard let connection = open() else { break }
            if let id = ask(connection, probe, port: port, result: &result) {
                apply(id, by: "probe", to: &result)
                return connections
            }
        }
        if let hint { apply(Identification(hint), by: "port", to: &result) }
        return connections
    }

    private func apply(_ id: Identification, by method: String, to result: inout PortResult) {
        result.service = id.service
        result.identifiedBy = method
        if id.product != nil { result.product = id.product }
        if id.version != nil { result.version = id.version }
        if id.startTLS != nil { result.startTLS = id.startTLS }
        if id.tls != nil { result.tls = id.tls }
    }

    /// Sends one light probe and classifies the reply.
    private func ask(_ connection: ProbeConnection, _ probe: ServiceHints.Probe, port: Int, result: inout PortResult) -> Identification? {
        let limit = until(readTimeout)
        func exchange(_ bytes: [UInt8], complete: @escaping ([UInt8]) -> Bool) -> [UInt8]? {
            do throws(SansangError) { try connection.send(bytes, until: limit) } catch {
                result.notes.append("\(probe) probe: \(error.reason)")
                return nil
            }
            let reply = connection.read(limit: Self.readLimit, until: limit, complete: complete).bytes
            return reply.isEmpty ? nil : reply
        }
        let hint = ServiceHints.byPort[port]
        switch probe {
        case .greeting:
            return nil
        case .http:
            guard let reply = exchange(ServiceWire.httpRequest(host: host), complete: { _ in false }) else { return nil }
            if ServiceWire.isTLSReply(reply) { return Identification(tlsService(port), tls: true) }
            if result.banner == nil { result.banner = ServiceWire.printable(reply) }
            // Redis with a password answers any command, ours included, with -NOAUTH.
            if let redis = ServiceWire.classify(redis: reply) { return redis }
            guard var id = ServiceWire.classify(http: reply) else { return nil }
            if id.service == "http", let hint, ["winrm", "webmin", "cpanel", "whm", "cockpit", "proxmox", "glassfish-admin", "wildfly-admin", "rabbitmq-admin", "activemq-admin", "kibana", "couchdb", "elasticsearch", "docker-api", "kubernetes-api", "kubelet"].contains(hint) {
                id.service = hint  // a web console or API on its usual port
            }
            return id
        case .tls:
            guard let reply = exchange(ServiceWire.tlsClientHello(serverName: host), complete: { $0.count >= 5 }) else {
                result.tls = result.tls ?? false
                return nil
            }
            guard ServiceWire.isTLSReply(reply) else { return nil }
            return Identification(tlsService(port), tls: true)
        case .postgres:
            guard let reply = exchange(ServiceWire.postgresSSLRequest, complete: { $0.count >= 1 }), let ssl = ServiceWire.postgresSSLAnswer(reply) else { return nil }
            return Identification("postgresql", product: "PostgreSQL", startTLS: ssl)
        case .ldap:
            guard let reply = exchange(ServiceWire.ldapStartTLS, complete: { ServiceWire.ldapExtendedResult($0) != nil }),
                  let code = ServiceWire.ldapExtendedResult(reply) else { return nil }
            return Identification("ldap", startTLS: code == 0)
        case .redis:
            guard let reply = exchange(ServiceWire.redisPing, complete: ServiceWire.lineComplete) else { return nil }
            result.banner = ServiceWire.printable(reply)
            return ServiceWire.classify(redis: reply)
        case .mongo:
            guard let reply = exchange(ServiceWire.mongoIsMaster, complete: { $0.count >= 16 }) else { return nil }
            return ServiceWire.isMongoReply(reply) ? Identification("mongodb", product: "MongoDB") : nil
        case .tds:
            guard let reply = exchange(ServiceWire.tdsPrelogin, complete: { $0.count >= 8 && $0.count >= Int($0[2]) << 8 | Int($0[3]) }) else { return nil }
            return ServiceWire.classify(tds: reply)
        case .tns:
            guard let reply = exchange(ServiceWire.tnsConnect(host: host, port: port), complete: { $0.count >= 8 && $0.count >= Int($0[0]) << 8 | Int($0[1]) }) else { return nil }
            return ServiceWire.classify(tns: reply)
        case .rdp:
            guard let reply = exchange(ServiceWire.rdpConnectionRequest, complete: { $0.count >= 4 && $0.count >= Int($0[2]) << 8 | Int($0[3]) }) else { return nil }
            return ServiceWire.classify(rdp: reply)
        case .smb:
            guard let reply = exchange(ServiceWire.smbNegotiate, complete: { $0.count >= 8 }) else { return nil }
            return ServiceWire.classify(smb: reply)
        }
    }

    private func tlsService(_ port: Int) -> String {
        switch ServiceHints.byPort[port] {
        case nil, "http": "tls"
        case let hint?: hint
        }
    }

    private func until(_ wait: Duration) -> ContinuousClock.Instant { min(deadline, .now + wait) }

    /// Follow-ups on the greeting connection: the SSH KEXINIT, or whether STARTTLS is offered and accepted.
    private func converse(_ connection: ProbeConnection, service: String, greeting: [UInt8], result: inout PortResult) {
        let limit = until(readTimeout)
        func say(_ line: String, complete: @escaping ([UInt8]) -> Bool = ServiceWire.lineComplete) -> String? {
            do throws(SansangError) { try connection.send(Array(line.utf8), until: limit) } catch { return nil }
            let reply = connection.read(limit: 8192, until: limit, complete: complete).bytes
            return reply.isEmpty ? nil : String(decoding: reply, as: UTF8.self)
        }
        switch service {
        case "ssh":
            result.ssh = sshExchange(connection, greeting: greeting, until: limit)
        case "smtp":
            guard let ehlo = say("EHLO sansang.invalid\r\n", complete: ServiceWire.smtpReplyComplete) else { return }
            guard ServiceWire.smtpOffersStartTLS(Array(ehlo.utf8)) else {
                result.startTLS = false
                return
            }
            result.startTLS = say("STARTTLS\r\n")?.hasPrefix("220") ?? false
        case "ftp":
            var greetingText = String(decoding: greeting, as: UTF8.self)
            // A multi-line greeting (220-…) must end before we speak.
            var rounds = 0
            while !greetingText.split(whereSeparator: \.isNewline).contains(where: { $0.hasPrefix("220 ") }) && rounds < 8 {
                rounds += 1
                let more = connection.read(limit: 4096, until: limit, complete: ServiceWire.lineComplete)
                if more.bytes.isEmpty { break }
                greetingText += String(decoding: more.bytes, as: UTF8.self)
            }
            result.startTLS = say("AUTH TLS\r\n")?.hasPrefix("234") ?? false
        case "imap":
            result.startTLS = say("a001 STARTTLS\r\n") { String(decoding: $0, as: UTF8.self).contains("a001 ") }?
                .split(whereSeparator: \.isNewline).contains { $0.hasPrefix("a001 OK") } ?? false
        case "pop3":
            result.startTLS = say("STLS\r\n")?.hasPrefix("+OK") ?? false
        default:
            break
        }
    }

    /// Sends our identification, then reads the server's identification line and KEXINIT.
    private func sshExchange(_ connection: ProbeConnection, greeting: [UInt8], until limit: ContinuousClock.Instant) -> SSHFacts? {
        var buffer = greeting
        var facts: SSHFacts?
        var rounds = 0
        var sentOurs = false
        while rounds < 64 && buffer.count <= SSHWire.maxPacket + 4096 {
            rounds += 1
            switch SSHWire.identification(buffer) {
            case .invalid(let why):
                return SSHFacts(versionString: "", protocolVersion: "", software: "", kexinitError: why)
            case .needMore:
                break
            case .complete(let line, let consumed):
                let parts = SSHWire.split(identification: line)
                if facts == nil {
                    facts = SSHFacts(versionString: line, protocolVersion: parts?.protocolVersion ?? "", software: parts?.software ?? "")
                }
                if parts?.protocolVersion.hasPrefix("1.") == true && parts?.protocolVersion != "1.99" {
                    facts?.kexinitError = "SSH protocol \(parts?.protocolVersion ?? "1") only: no KEXINIT"
                    return facts
                }
                if !sentOurs {
                    sentOurs = true
                    do throws(SansangError) { try connection.send(SSHWire.clientIdentification, until: limit) } catch {
                        facts?.kexinitError = "could not send our identification: \(error.reason)"
                        return facts
                    }
                }
                switch SSHWire.kexinit(Array(buffer[consumed...])) {
                case .complete(let kex, _):
                    var out = kex
                    out.versionString = line
                    out.protocolVersion = parts?.protocolVersion ?? ""
                    out.software = parts?.software ?? ""
                    return out
                case .invalid(let why):
                    facts?.kexinitError = why
                    return facts
                case .needMore:
                    break
                }
            }
            let more = connection.read(limit: 8192, until: limit) { _ in true }
            if more.bytes.isEmpty {
                facts?.kexinitError = more.closed ? "the server closed the connection before its KEXINIT was complete" : "no complete KEXINIT within the timeout"
                return facts
            }
            buffer += more.bytes
        }
        if var partial = facts, partial.kexinitError == nil {
            partial.kexinitError = "the KEXINIT was too long"
            return partial
        }
        return facts
    }
}
