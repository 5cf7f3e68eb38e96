import Foundation
import SansangCore

/// What came back for one ClientHello.
enum HelloOutcome: Sendable {
    /// A TLS or SSLv2 reply: a ServerHello flight, or an alert.
    case reply(ServerFlight)
    /// The server closed the connection without a reply.
    case closed
    /// No complete reply before the connection timeout.
    case timeout
    /// Could not connect, reset, or the reply was malformed or too large.
    case failed(SansangError)

    var flight: ServerFlight? {
        if case .reply(let flight) = self { return flight }
        return nil
    }

    var serverHello: ServerHelloMessage? { flight?.serverHello }
}

/// Sends ClientHellos to one endpoint within the scan's politeness limits and counts connections.
struct HelloExchange: Sendable {
    let address: SocketAddress
    let host: String
    let timeout: Duration
    let limiter: ConnectionLimiter
    let deadline: ContinuousClock.Instant
    /// A STARTTLS dialogue to run on every connection before TLS.
    var startTLS: String? = nil
    /// Connections this endpoint's scan opened (the limiter counts per host, shared by endpoints).
    let counter = ConnectionCounter()

    var expired: Bool { ContinuousClock.now >= deadline }

    func send(_ hello: ClientHello, stop: StopPoint = .serverHelloDone) async -> HelloOutcome {
        if expired { return .failed(SansangError(.timeout, "the time budget for this endpoint ran out")) }
        let bytes = hello.encode()
        counter.increment()
        let address = address
        let timeout = timeout
        let startTLS = startTLS
        return await limiter.withSlot(host) {
            HelloExchange.exchange(bytes, stop: stop, address: address, timeout: timeout, startTLS: startTLS)
        }
    }

    func handshake(serverName: String?, alpn: [String], resume: SavedSession? = nil, tickets: Bool = true, collectTicket: Bool = true) async -> HandshakeResult {
        if expired { return HandshakeResult(failure: "the time budget for this endpoint ran out") }
        counter.increment()
        let address = address
        let timeout = timeout
        let startTLS = startTLS
        return await limiter.withSlot(host) {
            OpenSSLHandshake.run(address: address, serverName: serverName, timeout: timeout, alpn: alpn, resume: resume, tickets: tickets, startTLS: startTLS, collectTicket: collectTicket)
        }
    }

    static func exchange(_ bytes: [UInt8], stop: StopPoint, address: SocketAddress, timeout: Duration, startTLS: String? = nil) -> HelloOutcome {
        let deadline = ContinuousClock.now + timeout
        do throws(SansangError) {
            let connection = try TCPConnection.open(address, timeout: timeout)
            if let startTLS { try StartTLS.negotiate(startTLS, on: connection, until: deadline) }
            try connection.send(bytes, until: deadline)
            var parser = ReplyParser(stop: stop)
            var reads = 0
            while reads < 4096 {
                reads += 1
                guard let chunk = try connection.receive(until: deadline) else {
                    if parser.flight.serverHello != nil { return .reply(parser.flight) }
                    return .timeout
                }
                if chunk.isEmpty {
                    if parser.flight.serverHello != nil { return .reply(parser.flight) }
                    if parser.received > 0 {
                        return .failed(SansangError(.malformedReply, "the server closed the connection after \(parser.received) byte(s) of an incomplete TLS reply"))
                    }
                    return .closed
                }
                if try parser.feed(chunk) { return .reply(parser.flight) }
            }
            return .failed(SansangError(.malformedReply, "the server's reply never completed"))
        } catch {
            return .failed(error)
        }
    }
}

/// TLS alert descriptions (RFC 8446 §6), for evidence.
enum AlertName {
    static func describe(_ code: UInt8) -> String {
        let names: [UInt8: String] = [
            0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
            40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate", 47: "illegal_parameter",
            48: "unknown_ca", 50: "decode_error", 51: "decrypt_error", 70: "protocol_version",
            71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
            109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name", 116: "certificate_required",
            120: "no_application_protocol",
        ]
        return names[code].map { "\($0) (\(code))" } ?? "alert \(code)"
    }
}

/// A thread-safe count of connections.
final class ConnectionCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
