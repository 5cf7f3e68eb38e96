public import Foundation
public import SansangCore

/// The TLS probe: protocol support, every accepted cipher suite per protocol in the server's
/// order, key-exchange groups, DH size, the certificate chain, and the handshake features
/// (renegotiation, compression, fallback SCSV, resumption, ALPN, client certificates).
///
/// Connections: one per accepted suite and protocol plus one per protocol, one per group,
/// one preference check per protocol, one fallback check, two to four full handshakes.
/// All go through the shared `ConnectionLimiter`.
public struct TLSProbe: Probe {
    public static let id = "tls"

    let limiter: ConnectionLimiter
    let clock: @Sendable () -> Date

    public init(limiter: ConnectionLimiter, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.limiter = limiter
        self.clock = clock
    }

    public func gather(_ endpoint: Endpoint, _ context: ProbeContext, into facts: inout FactSet) async {
        facts.record(await scan(endpoint, context))
    }

    public func scan(_ endpoint: Endpoint, _ context: ProbeContext) async -> ProbeAttempt<TLSFacts> {
        let started = ContinuousClock.now
        let resolved = await Blocking.run { () -> Result<[SocketAddress], SansangError> in
            do throws(SansangError) {
                return .success(try SocketAddress.resolve(host: endpoint.host, port: endpoint.port))
            } catch {
                return .failure(error)
            }
        }
        let address: SocketAddress
        switch resolved {
        case .success(let addresses): address = addresses[0]
        case .failure(let error): return .failed(ProbeFailure(error))
        }
        var exchange = HelloExchange(
            address: address, host: endpoint.host, timeout: context.connectionTimeout, limiter: limiter,
            deadline: started + context.endpointTimeout
        )
        exchange.startTLS = endpoint.startTLS
        let scanner = EndpointScan(exchange: exchange, serverName: endpoint.serverName)
        var facts = await scanner.run()
        if let failure = facts.failure {
            return .failed(failure)
        }
        var tls = facts.tls
        await scanner.certificate(into: &tls, versions: facts.versions, endpoint: endpoint, context: context, now: clock())
        tls.connections = exchange.counter.value
        tls.durationMilliseconds = Int(started.duration(to: .now).milliseconds)
        facts.tls = tls
        return .completed(tls)
    }
}

/// How one protocol version answered.
struct VersionResult: Sendable {
    enum Status: Sendable { case supported, rejected(String), closed, untested(String) }
    var version: TLSVersion
    var status: Status
    var suites: [CipherSuiteFact] = []
    var codes: [UInt16] = []
    var preference = "unknown"
    var firstHello: ServerHelloMessage?
    var firstFlight: ServerFlight?
    var flights: [ServerFlight] = []
    var dhBits: [Int] = []
    var compression = false
    var notes: [String] = []
    var answeredTLS = false
}

struct EndpointScan: Sendable {
    let exchange: HelloExchange
    let serverName: String?

    struct Outcome {
        var tls = TLSFacts()
        var versions: [TLSVersion: VersionResult] = [:]
        var failure: ProbeFailure?
    }

    func run() async -> Outcome {
        var outcome = Outcome()
        let results = await withTaskGroup(of: VersionResult.self) { group in
            for version in TLSVersion.allCases {
                group.addTask { await self.probe(version) }
            }
            var collected: [TLSVersion: VersionResult] = [:]
            for await result in group { collected[result.version] = result }
            return collected
        }
        outcome.versions = results
        let spokeTLS = results.values.contains { $0.answeredTLS }
        var tls = TLSFacts()
        for version in TLSVersion.allCases {
            guard let result = results[version] else { continue }
            switch result.status {
            case .supported:
                tls.protocols[version] = true
                tls.cipherSuites[version.rawValue] = result.suites
                tls.cipherPreference[version.rawValue] = result.preference
            case .rejected:
                tls.protocols[version] = false
            case .closed:
                if spokeTLS {
                    tls.protocols[version] = false
                } else {
                    tls.protocols[version] = nil
                    tls.protocolErrors[version.rawValue] = "the server closed the connection without any TLS answer"
                }
            case .untested(let reason):
                tls.protocols[version] = nil
                tls.protocolErrors[version.rawValue] = reason
            }
            tls.notes.append(contentsOf: result.notes)
        }
        if tls.protocols.supported.isEmpty && !TLSVersion.allCases.contains(where: { tls.protocols[$0] == false }) {
            let reasons = TLSVersion.allCases.reversed().compactMap { tls.protocolErrors[$0.rawValue] }
            let reason = reasons.first ?? "no protocol could be tested"
            let kind = reason.contains("refused") ? "refused" : reason.contains("within") || reason.contains("timed out") ? "timeout" : "error"
            outcome.failure = ProbeFailure(kind: kind, reason: "could not test TLS, because \(reason)")
            return outcome
        }
        let dh = results.values.flatMap(\.dhBits)
        tls.dhBits = dh.min()
        tls.compression = results.values.contains { $0.compression }
        let legacyVersions = TLSVersion.allCases.filter { $0 != .tls13 && $0 != .ssl2 && tls.protocols[$0] == true }
        if let best = legacyVersions.last, let hello = results[best]?.firstHello {
            tls.secureRenegotiation = hello.extensions[0xFF01] != nil
        } else if tls.protocols[.ssl2] == true && legacyVersions.isEmpty {
            tls.secureRenegotiation = false
        }
        if tls.protocols.supported.contains(where: { $0 != .ssl2 }) {
            let snapshot = tls
            async let groups = self.groups(tls: snapshot, results: results)
            async let fallback = self.fallback(tls: snapshot, results: results)
            let (foundGroups, scsv) = await (groups, fallback)
            tls.groups = foundGroups
            tls.fallbackSCSV = scsv
        }
        outcome.tls = tls
        return outcome
    }

    // MARK: protocol and cipher enumeration

    func probe(_ version: TLSVersion) async -> VersionResult {
        switch version {
        case .ssl2: await probeSSLv2()
        case .tls13: await enumerate(version, offered: CipherSuiteRegistry.tls13.map(\.code))
        default: await enumerate(version, offered: CipherSuiteRegistry.legacy.map(\.code))
        }
    }

    private func hello(_ version: TLSVersion, _ suites: [UInt16], compatible: Bool = false) -> ClientHello {
        var hello = ClientHello(version: version, cipherSuites: suites, serverName: serverName)
        hello.compatible = compatible
        if version != .tls13 { hello.compressionMethods = [1, 0] }
        return hello
    }

    private func probeSSLv2() async -> VersionResult {
        var result = VersionResult(version: .ssl2, status: .untested("not tested"))
        let outcome = await exchange.send(ClientHello(version: .ssl2, cipherSuites: [], serverName: serverName))
        switch outcome {
        case .reply(let flight):
            result.answeredTLS = true
            if let hello = flight.sslv2Hello {
                result.status = .supported
                result.suites = hello.cipherKinds.map(SSLv2CipherKind.fact)
                result.preference = "client"
                result.firstFlight = ServerFlight(certificates: hello.certificate.isEmpty ? [] : [hello.certificate])
                if hello.cipherKinds.isEmpty { result.notes.append("SSLv2 is enabled but the server offered no cipher in common") }
            } else if let error = flight.sslv2Error {
                result.status = .rejected("SSLv2 error \(error)")
            } else if let alert = flight.alert {
                result.status = .rejected(AlertName.describe(alert.description))
            } else {
                result.status = .rejected("answered with a TLS ServerHello")
            }
        case .closed: result.status = .closed
        case .timeout: result.status = .untested("no answer within \(exchange.timeout.seconds) s")
        case .failed(let error): result.status = .untested(error.reason)
        }
        return result
    }

    private func enumerate(_ version: TLSVersion, offered: [UInt16]) async -> VersionResult {
        var result = VersionResult(version: version, status: .untested("not tested"))
        var remaining = offered
        let stop: StopPoint = version == .tls13 ? .serverHello : .serverHelloDone
        var first = await exchange.send(hello(version, remaining), stop: stop)
        var compatible = false
        if version != .tls13, Self.noTLSAnswer(first) {
            // Some old stacks drop a hello of 360 suites and modern extensions: try a lean one.
            let retry = await exchange.send(hello(version, Self.compatibleChunk(offered, from: 0), compatible: true), stop: stop)
            if case .reply = retry {
                first = retry
                compatible = true
                result.notes.append("\(version.rawValue): the server did not answer a full ClientHello; a lean one (fewer suites, no optional extensions) was used")
            }
        }
        switch first {
        case .reply(let flight):
            result.answeredTLS = true
            if let alert = flight.alert, flight.serverHello == nil, !compatible {
                result.status = .rejected(AlertName.describe(alert.description))
                return result
            }
            if let serverHello = flight.serverHello {
                guard serverHello.version == version.wire else {
                    let answered = TLSVersion(wire: serverHello.version)?.rawValue ?? String(format: "0x%04X", serverHello.version)
                    result.status = .rejected("the server answered with \(answered)")
                    return result
                }
                result.status = .supported
                result.firstHello = serverHello
                result.firstFlight = flight
                accept(flight, into: &result, remaining: &remaining)
            } else if !compatible {
                result.status = .rejected(flight.sslv2Hello != nil || flight.sslv2Error != nil ? "answered in SSLv2" : "no ServerHello")
                return result
            }
        case .closed:
            result.status = .closed
            return result
        case .timeout:
            result.status = .untested("no answer within \(exchange.timeout.seconds) s")
            return result
        case .failed(let error):
            result.status = .untested(error.reason)
            return result
        }
        if compatible {
            await enumerateInChunks(version, offered: offered, result: &result, remaining: &remaining)
            return result
        }
        var rounds = 0
        while !remaining.isEmpty && rounds < 400 {
            rounds += 1
            guard let flight = await next(version, remaining, stop: stop, compatible: false, result: &result) else { break }
            accept(flight, into: &result, remaining: &remaining)
        }
        if result.codes.count >= 2 {
            result.preference = await preference(version, accepted: result.codes)
        } else if result.codes.count == 1 {
            result.preference = "server"
        }
        return result
    }

    /// One more hello with the suites not yet accepted; nil when the server has no more in common.
    private func next(_ version: TLSVersion, _ suites: [UInt16], stop: StopPoint, compatible: Bool, result: inout VersionResult) async -> ServerFlight? {
        let outcome = await exchange.send(hello(version, suites, compatible: compatible), stop: stop)
        guard case .reply(let flight) = outcome else {
            if case .failed(let error) = outcome { result.notes.append("\(version.rawValue): cipher enumeration stopped early: \(error.reason)") }
            if case .timeout = outcome { result.notes.append("\(version.rawValue): cipher enumeration stopped early: no answer within \(exchange.timeout.seconds) s") }
            return nil
        }
        guard let serverHello = flight.serverHello, serverHello.version == version.wire else { return nil }
        guard suites.contains(serverHello.cipherSuite) else {
            result.notes.append("\(version.rawValue): the server chose a cipher suite that was not offered (\(CipherSuiteRegistry.fact(serverHello.cipherSuite).name))")
            return nil
        }
        return flight
    }

    /// Lean-hello enumeration: chunk by chunk, then the server's order over what it accepted.
    private func enumerateInChunks(_ version: TLSVersion, offered: [UInt16], result: inout VersionResult, remaining: inout [UInt16]) async {
        let stop: StopPoint = .serverHelloDone
        var start = 0
        var rounds = 0
        while start < offered.count && rounds < 500 {
            var chunk = Self.compatibleChunk(offered, from: start).filter { remaining.contains($0) }
            start += Self.chunkSize
            while !chunk.isEmpty && rounds < 500 {
                rounds += 1
                guard let flight = await next(version, chunk, stop: stop, compatible: true, result: &result) else { break }
                accept(flight, into: &result, remaining: &remaining)
                chunk.removeAll { !remaining.contains($0) }
            }
        }
        result.status = result.codes.isEmpty ? .rejected("no cipher suite in common with a lean ClientHello") : .supported
        guard result.codes.count >= 2 else {
            result.preference = result.codes.isEmpty ? "unknown" : "server"
            return
        }
        // The order found chunk by chunk is ours; ask the server for its own over the accepted set.
        var ordered: [UInt16] = []
        var left = result.codes
        while !left.isEmpty && ordered.count < result.codes.count {
            let outcome = await exchange.send(hello(version, left, compatible: true), stop: .serverHello)
            guard let chosen = outcome.serverHello?.cipherSuite, left.contains(chosen) else { break }
            ordered.append(chosen)
            left.removeAll { $0 == chosen }
        }
        if ordered.count == result.codes.count {
            let facts = Dictionary(uniqueKeysWithValues: zip(result.codes, result.suites))
            result.suites = ordered.compactMap { facts[$0] }
            result.codes = ordered
        }
        result.preference = await preference(version, accepted: result.codes, compatible: true)
    }

    /// Below the 64-suite limits of old stacks, with room for the SCSVs a hello may append.
    static let chunkSize = 60

    /// Suites in an order that puts what old servers speak first, then the rest of the registry.
    static func compatibleChunk(_ offered: [UInt16], from start: Int) -> [UInt16] {
        let common: [UInt16] = [
            0xC02F, 0xC030, 0xC02B, 0xC02C, 0xC013, 0xC014, 0xC009, 0xC00A, 0xC027, 0xC028, 0xC023, 0xC024, 0x009E, 0x009F,
            0x0033, 0x0039, 0x0067, 0x006B, 0x009C, 0x009D, 0x002F, 0x0035, 0x003C, 0x003D, 0x000A, 0x0016, 0x0013, 0xC012,
            0xC008, 0x0005, 0x0004, 0xC011, 0xC007, 0x0009, 0x0015, 0x0012, 0x0003, 0x0006, 0x0008, 0x0014, 0x0011, 0x0041,
            0x0084, 0x0045, 0x0088, 0x0096, 0x009A, 0x0001, 0x0002, 0x003B, 0xC010, 0xC006, 0x0018, 0x001B, 0x0034, 0x003A,
            0xC018, 0xC019, 0xC016, 0xC017, 0x0017, 0x0019, 0x001A, 0x0007,
        ]
        let ordered = common.filter(offered.contains) + offered.filter { !common.contains($0) }
        guard start < ordered.count else { return [] }
        return Array(ordered[start..<min(ordered.count, start + chunkSize)])
    }

    static func noTLSAnswer(_ outcome: HelloOutcome) -> Bool {
        switch outcome {
        // Intolerant stacks close or reset; a silent server will not answer a lean hello either.
        case .closed: true
        case .failed(let error): error.code == .connection && error.reason.contains("reset")
        case .timeout: false
        case .reply: false
        }
    }

    private func accept(_ flight: ServerFlight, into result: inout VersionResult, remaining: inout [UInt16]) {
        guard let serverHello = flight.serverHello else { return }
        if result.firstHello == nil {
            result.firstHello = serverHello
            result.firstFlight = flight
        }
        let code = serverHello.cipherSuite
        remaining.removeAll { $0 == code }
        var info: String?
        if let suite = CipherSuiteRegistry.suite(code) {
            if suite.isTLS13 {
                info = serverHello.selectedGroup.map(NamedGroup.name)
            } else if let body = flight.serverKeyExchange {
                let parameters = KeyExchangeParameters.parse(body, suite: suite)
                info = parameters.group
                if let bits = parameters.dhBits { result.dhBits.append(bits) }
            }
        }
        if serverHello.compressionMethod == 1 { result.compression = true }
        result.codes.append(code)
        result.suites.append(CipherSuiteRegistry.fact(code, keyExchangeInfo: info))
        result.flights.append(flight)
    }

    /// Offers the accepted suites in reverse: a server that still picks its first has its own order.
    private func preference(_ version: TLSVersion, accepted: [UInt16], compatible: Bool = false) async -> String {
        let outcome = await exchange.send(hello(version, accepted.reversed(), compatible: compatible), stop: .serverHello)
        guard let chosen = outcome.serverHello?.cipherSuite else { return "unknown" }
        if chosen == accepted.first { return "server" }
        if chosen == accepted.last { return "client" }
        return "unknown"
    }

    // MARK: groups and downgrade protection

    private func groups(tls: TLSFacts, results: [TLSVersion: VersionResult]) async -> [String] {
        var found: [UInt16] = []
        if tls.protocols[.tls13] == true, let suites = results[.tls13]?.codes, !suites.isEmpty {
            var remaining = NamedGroup.codes
            var rounds = 0
            while !remaining.isEmpty && rounds < NamedGroup.codes.count {
                rounds += 1
                var hello = ClientHello(version: .tls13, cipherSuites: suites, serverName: serverName)
                hello.groups = remaining
                hello.sendX25519KeyShare = false
                guard let serverHello = await exchange.send(hello, stop: .serverHello).serverHello,
                      let group = serverHello.selectedGroup, remaining.contains(group) else { break }
                found.append(group)
                remaining.removeAll { $0 == group }
            }
        }
        // TLS ≤ 1.2 ECDHE: the curve is named in the ServerKeyExchange.
        let legacy = TLSVersion.allCases.filter { $0 != .tls13 && $0 != .ssl2 && tls.protocols[$0] == true }
        if let best = legacy.last, let accepted = results[best]?.codes {
            let ecdhe = accepted.filter { CipherSuiteRegistry.suite($0)?.usesECDHE == true }
            var remaining = NamedGroup.ellipticCurves.filter { !found.contains($0) }
            var rounds = 0
            while !ecdhe.isEmpty && !remaining.isEmpty && rounds < NamedGroup.ellipticCurves.count {
                rounds += 1
                var hello = hello(best, ecdhe)
                hello.groups = remaining
                guard let flight = await exchange.send(hello).flight, let serverHello = flight.serverHello,
                      let suite = CipherSuiteRegistry.suite(serverHello.cipherSuite), let body = flight.serverKeyExchange,
                      let name = KeyExchangeParameters.parse(body, suite: suite).group,
                      let code = NamedGroup.all.first(where: { $0.name == name })?.code, remaining.contains(code) else { break }
                found.append(code)
                remaining.removeAll { $0 == code }
            }
        }
        return found.map(NamedGroup.name)
    }

    /// RFC 7507: a hello below the server's best version carrying TLS_FALLBACK_SCSV must be refused.
    private func fallback(tls: TLSFacts, results: [TLSVersion: VersionResult]) async -> Bool? {
        let versions = tls.protocols.supported.filter { $0 != .ssl2 }
        guard versions.count >= 2 else { return nil }
        let lower = versions[versions.count - 2]
        guard let suites = results[lower]?.codes, !suites.isEmpty else { return nil }
        var hello = hello(lower, suites)
        hello.fallbackSCSV = true
        switch await exchange.send(hello, stop: .serverHello) {
        case .reply(let flight):
            if let alert = flight.alert { return alert.description == 86 ? true : nil }
            return flight.serverHello == nil ? nil : false
        default:
            return nil
        }
    }

    // MARK: certificate and full-handshake features

    func certificate(into tls: inout TLSFacts, versions: [TLSVersion: VersionResult], endpoint: Endpoint, context: ProbeContext, now: Date) async {
        let opensslCanSpeak = [TLSVersion.tls10, .tls11, .tls12, .tls13].contains { tls.protocols[$0] == true }
        var handshake = HandshakeResult(failure: "OpenSSL cannot speak any protocol this server supports")
        if opensslCanSpeak {
            handshake = await exchange.handshake(serverName: serverName, alpn: ["h2", "http/1.1"])
        }
        // The raw flight of the best TLS ≤ 1.2 version (or SSLv2) carries the certificate in clear.
        let rawFlight = [TLSVersion.tls12, .tls11, .tls10, .ssl3, .ssl2].lazy
            .compactMap { versions[$0]?.firstFlight }.first { !$0.certificates.isEmpty }
        let chain = handshake.chain.isEmpty ? (rawFlight?.certificates ?? []) : handshake.chain
        let stapledRaw = versions.values.contains { $0.firstFlight?.certificateStatus == true }
        if !chain.isEmpty {
            do throws(SansangError) {
                tls.certificate = try CertificateAnalyzer.analyze(
                    chain: chain, checkedName: endpoint.host, caFile: context.caFile, now: now,
                    source: handshake.chain.isEmpty ? "raw" : "handshake",
                    ocspStapled: handshake.completed ? (handshake.ocspStapled || stapledRaw) : (rawFlight != nil ? stapledRaw : nil),
                    negotiatedProtocol: handshake.protocolName, negotiatedCipher: handshake.cipherName
                )
            } catch {
                tls.certificateError = error.reason
            }
        } else {
            let anonymousOnly = !tls.allSuites.isEmpty && tls.allSuites.allSatisfy(\.anonymous)
            tls.certificateError = anonymousOnly
                ? "the server only accepts anonymous cipher suites and sends no certificate"
                : "no certificate could be read: \(handshake.failure ?? "the server sent none")"
        }
        let rawRequested = versions.values.contains { $0.firstFlight?.certificateRequested == true }
        if handshake.completed || handshake.clientCertificateRequested {
            tls.clientCertificate = handshake.clientCertificateRequired ? "required" : handshake.clientCertificateRequested ? "optional" : "none"
        } else if rawRequested {
            tls.clientCertificate = "requested"
        } else if rawFlight != nil {
            tls.clientCertificate = "none"
        }
        guard handshake.completed else {
            if opensslCanSpeak, let failure = handshake.failure { tls.notes.append("full handshake through OpenSSL failed: \(failure)") }
            return
        }
        var alpn: [String] = []
        if let chosen = handshake.alpn { alpn.append(chosen) }
        let second = await exchange.handshake(serverName: serverName, alpn: ["http/1.1"], resume: handshake.session, collectTicket: false)
        if let chosen = second.alpn, !alpn.contains(chosen) { alpn.append(chosen) }
        tls.alpn = alpn
        let isTLS13 = handshake.protocolName == "TLSv1.3"
        if isTLS13 {
            tls.sessionResumption = ResumptionFacts(sessionID: nil, ticket: second.completed ? second.resumed : nil)
        } else if handshake.session?.hasTicket == true {
            let noTicket = await exchange.handshake(serverName: serverName, alpn: [], tickets: false)
            var byID: Bool?
            if noTicket.completed, let session = noTicket.session {
                let resumed = await exchange.handshake(serverName: serverName, alpn: [], resume: session, tickets: false)
                byID = resumed.completed ? resumed.resumed : nil
            }
            tls.sessionResumption = ResumptionFacts(sessionID: byID, ticket: second.completed ? second.resumed : nil)
        } else {
            tls.sessionResumption = ResumptionFacts(sessionID: second.completed ? second.resumed : nil, ticket: false)
        }
    }
}
