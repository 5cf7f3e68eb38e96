import COpenSSL
import Foundation
import SansangCore
#if canImport(Glibc)
import Glibc
#endif

/// Owns an SSL_SESSION kept between two handshakes to test resumption.
final class SavedSession: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { SSL_SESSION_free(pointer) }
    var hasTicket: Bool { SSL_SESSION_has_ticket(pointer) == 1 }
}

/// What one full handshake through the system OpenSSL showed.
struct HandshakeResult: Sendable {
    var completed = false
    var protocolName: String?
    var cipherName: String?
    var chain: [[UInt8]] = []
    var ocspStapled = false
    var clientCertificateRequested = false
    var clientCertificateRequired = false
    var alpn: String?
    var resumed = false
    var session: SavedSession?
    var failure: String?
}

/// Full handshakes through OpenSSL (TLS 1.0–1.3), for what only a complete handshake shows:
/// the certificate chain under TLS 1.3, OCSP stapling, ALPN, resumption and client-certificate requests.
enum OpenSSLHandshake {
    /// One connection. `resume` offers a saved session; `tickets` false disables session tickets.
    static func run(
        address: SocketAddress, serverName: String?, timeout: Duration,
        alpn: [String], resume: SavedSession? = nil, tickets: Bool = true, startTLS: String? = nil, collectTicket: Bool = true
    ) -> HandshakeResult {
        var result = HandshakeResult()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            result.failure = "OpenSSL could not create a context: " + drainErrors()
            return result
        }
        defer { SSL_CTX_free(ctx) }
        _ = sansang_SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION)
        _ = SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL:@SECLEVEL=0")
        var options = sansang_SSL_OP_LEGACY_SERVER_CONNECT()
        if !tickets { options |= sansang_SSL_OP_NO_TICKET() }
        _ = sansang_SSL_CTX_set_options(ctx, options)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        sansang_SSL_CTX_record_client_cert_requests(ctx)

        let connection: TCPConnection
        do {
            connection = try TCPConnection.open(address, timeout: timeout)
            if let startTLS { try StartTLS.negotiate(startTLS, on: connection, until: ContinuousClock.now + timeout) }
        } catch {
            result.failure = error.reason
            return result
        }
        guard let ssl = SSL_new(ctx) else {
            result.failure = "OpenSSL could not create a connection: " + drainErrors()
            return result
        }
        defer { SSL_free(ssl) }
        var requested: Int32 = 0
        _ = withUnsafeMutablePointer(to: &requested) { sansang_SSL_set_app_flag(ssl, $0) }
        defer { _ = sansang_SSL_set_app_flag(ssl, nil) }
        SSL_set_fd(ssl, connection.fd)
        if let serverName { _ = sansang_SSL_set_tlsext_host_name(ssl, serverName) }
        _ = sansang_SSL_set_tlsext_status_type_ocsp(ssl)
        let wire = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        if !wire.isEmpty { _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count)) }
        if let resume { _ = SSL_set_session(ssl, resume.pointer) }

        let deadline = ContinuousClock.now + timeout
        ERR_clear_error()
        var handshakeDone = false
        var rounds = 0
        while rounds < 1000 {
            rounds += 1
            let status = SSL_connect(ssl)
            if status == 1 { handshakeDone = true; break }
            let code = SSL_get_error(ssl, status)
            let events: Int16
            if code == SSL_ERROR_WANT_READ {
                events = Int16(POLLIN)
            } else if code == SSL_ERROR_WANT_WRITE {
                events = Int16(POLLOUT)
            } else {
                result.failure = describeFailure(code)
                break
            }
            guard (try? connection.wait(for: events, until: deadline)) == true else {
                result.failure = "the handshake did not finish within \(timeout.seconds) s"
                break
            }
        }
        result.clientCertificateRequested = requested != 0
        result.chain = peerChain(ssl)
        guard handshakeDone else {
            if result.clientCertificateRequested { result.clientCertificateRequired = true }
            return result
        }
        result.completed = true
        result.protocolName = String(cString: SSL_get_version(ssl))
        if let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_standard_name(cipher) {
            result.cipherName = String(cString: name)
        }
        var response: UnsafePointer<UInt8>?
        result.ocspStapled = sansang_SSL_get_tlsext_status_ocsp_resp(ssl, &response) > 0
        var selected: UnsafePointer<UInt8>?
        var selectedLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &selected, &selectedLength)
        if let selected, selectedLength > 0 {
            result.alpn = String(decoding: UnsafeBufferPointer(start: selected, count: Int(selectedLength)), as: UTF8.self)
        }
        result.resumed = SSL_session_reused(ssl) == 1
        // TLS 1.3 sends tickets, and a refusal of an empty client certificate, after the handshake: read briefly.
        if SSL_version(ssl) == TLS1_3_VERSION && (collectTicket || result.clientCertificateRequested) {
            // A ticket replaces the session object: stop as soon as it changes, unless we must also
            // learn whether an empty client certificate is refused.
            let initial = SSL_get_session(ssl)
            let readDeadline = min(deadline, ContinuousClock.now + .milliseconds(result.clientCertificateRequested ? 600 : 250))
            var byte: UInt8 = 0
            var reads = 0
            while reads < 50 {
                reads += 1
                if !result.clientCertificateRequested, let current = SSL_get_session(ssl), current != initial || SSL_SESSION_has_ticket(current) == 1 { break }
                let count = SSL_read(ssl, &byte, 1)
                if count > 0 { continue }
                let code = SSL_get_error(ssl, count)
                if code == SSL_ERROR_WANT_READ {
                    if !result.clientCertificateRequested, let current = SSL_get_session(ssl), current != initial || SSL_SESSION_has_ticket(current) == 1 { break }
                    guard (try? connection.wait(for: Int16(POLLIN), until: readDeadline)) == true else { break }
                    continue
                }
                let text = drainErrors()
                if result.clientCertificateRequested && (text.contains("certificate required") || text.contains("alert")) {
                    result.clientCertificateRequired = true
                }
                break
            }
        }
        if let session = SSL_get1_session(ssl) { result.session = SavedSession(session) }
        _ = SSL_shutdown(ssl)
        return result
    }

    private static func peerChain(_ ssl: OpaquePointer) -> [[UInt8]] {
        guard let stack = SSL_get_peer_cert_chain(ssl) else { return [] }
        var chain: [[UInt8]] = []
        let count = sansang_sk_X509_num(stack)
        for index in 0..<min(count, 32) {
            guard let cert = sansang_sk_X509_value(stack, index) else { continue }
            chain.append(der(of: cert))
        }
        return chain
    }

    static func der(of cert: OpaquePointer) -> [UInt8] {
        let length = i2d_X509(cert, nil)
        guard length > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        bytes.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = i2d_X509(cert, &cursor)
        }
        return bytes
    }

    private static func describeFailure(_ code: Int32) -> String {
        let detail = drainErrors()
        switch code {
        case SSL_ERROR_SYSCALL:
            return detail.isEmpty ? "the server closed the connection during the handshake" : detail
        case SSL_ERROR_ZERO_RETURN:
            return "the server closed the TLS session during the handshake"
        default:
            return detail.isEmpty ? "handshake failed (OpenSSL error \(code))" : detail
        }
    }

    /// Empties OpenSSL's error queue into one line.
    static func drainErrors() -> String {
        var messages: [String] = []
        var count = 0
        while count < 16 {
            count += 1
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            messages.append(text.split(separator: ":").dropFirst(4).joined(separator: ":").isEmpty ? text : String(text.split(separator: ":").dropFirst(4).joined(separator: ":")))
        }
        return messages.joined(separator: "; ")
    }
}
