public import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SansangCore

/// A real `openssl s_server` on 127.0.0.1 and a free port, stopped by pid.
///
/// Runs `openssl s_server -accept 127.0.0.1:PORT -cert C -key K [-cert_chain Z] -www -quiet EXTRA…`
/// and returns once the port accepts connections (at most `startTimeout`, 5 s by default).
/// Throws `SansangError` `.io` when the binary cannot start or exits early (with its stderr
/// in the reason) and `.timeout` when the port never opens. `stop()` (also run by `deinit`)
/// sends SIGTERM, then SIGKILL after one second, and reaps the child.
///
/// Extra arguments that give deficient servers with Debian's OpenSSL 3.0:
/// - TLS 1.0/1.1: `-min_protocol TLSv1 -cipher ALL:COMPLEMENTOFALL:@SECLEVEL=0` (OpenSSL 3
///   refuses TLS 1.0/1.1 at security level 1 and up, because their handshake signs with SHA-1/MD5).
///   `-tls1` alone (with the cipher string) gives a TLS 1.0-only server; `-no_tls1_3` caps at 1.2.
/// - NULL and anonymous suites: `-cipher ALL:COMPLEMENTOFALL:@SECLEVEL=0` (eNULL and aNULL).
///   Debian's build has no RC4, 3DES, EXPORT, SSLv2 or SSLv3: use `FakeTLSServer` for those.
/// - No forward secrecy: `-cipher AES128-SHA:AES256-GCM-SHA384 -no_tls1_3`.
/// - Weak DH: `-dhparam FILE` with a 1024-bit group and `-cipher DHE-RSA-AES128-SHA:@SECLEVEL=0`.
/// - Missing intermediate: serve `<name>.pem` without `chainPath`.
/// - OCSP stapling: `-status_file RESPONSE.der`.
/// - Client certificate required: `-Verify 1 -verifyCAfile ca.pem`.
/// - Insecure renegotiation is not available from OpenSSL 3 (it always speaks RFC 5746).
/// - Client-preferred order is the default; `-serverpref` makes the server choose.
///
/// Readiness is seen in /proc/net/tcp, so `-naccept N` counts only the caller's connections.
public final class OpenSSLServer: Sendable {
    public let port: Int
    public let arguments: [String]
    private let child: ChildProcess

    /// `127.0.0.1:PORT`.
    public var target: String { "127.0.0.1:\(port)" }
    public var pid: Int32 { child.pid }
    public var isRunning: Bool { child.isRunning }
    /// What s_server wrote to stderr so far (empty after `stop()`).
    public var standardError: String { child.standardError }

    public init(
        certificatePath: String,
        keyPath: String,
        chainPath: String? = nil,
        extraArguments: [String] = [],
        executable: String = "/usr/bin/openssl",
        startTimeout: TimeInterval = 20,
        port fixedPort: Int? = nil
    ) throws {
        var lastError = SansangError(.io, "s_server did not start")
        for _ in 0..<3 {  // the free port may be taken between our probe and s_server's bind
            let port = try fixedPort ?? LabSocket.freePort()
            var arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificatePath, "-key", keyPath]
            if let chainPath { arguments += ["-cert_chain", chainPath] }
            arguments += ["-www", "-quiet"] + extraArguments
            let child = try ChildProcess(executable: executable, arguments: arguments)
            switch Self.waitUntilListening(child, port: port, timeout: min(max(startTimeout, 0.1), 30)) {
            case .listening:
                self.port = port
                self.arguments = arguments
                self.child = child
                return
            case .exited(let stderr):
                child.stop()
                lastError = SansangError(
                    .io, "openssl \(arguments.joined(separator: " ")) exited: \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
                )
                if stderr.contains("in use") || stderr.contains("bind") { continue }
                throw lastError
            case .timedOut:
                child.stop()
                throw SansangError(.timeout, "openssl s_server did not listen on 127.0.0.1:\(port) within \(startTimeout) s")
            }
        }
        throw lastError
    }

    /// Serves `certificate` with its key; `chainPath` is sent after it (e.g. `LabPKI.intermediatePEMPath`).
    public convenience init(certificate: IssuedCertificate, chainPath: String? = nil, extraArguments: [String] = [], port: Int? = nil) throws {
        try self.init(
            certificatePath: certificate.certPEMPath, keyPath: certificate.keyPEMPath,
            chainPath: chainPath, extraArguments: extraArguments, port: port
        )
    }

    deinit { child.stop() }

    public func stop() { child.stop() }

    private enum Start { case listening, exited(String), timedOut }

    private static func waitUntilListening(_ child: ChildProcess, port: Int, timeout: TimeInterval) -> Start {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if child.exitStatus != nil { return .exited(child.standardError) }
            if isListening(port: port) {
                // s_server may still die right after; look once more.
                usleep(50_000)
                if child.exitStatus != nil { return .exited(child.standardError) }
                return .listening
            }
            usleep(50_000)
        }
        return child.exitStatus != nil ? .exited(child.standardError) : .timedOut
    }

    /// Whether 127.0.0.1:port is in LISTEN state. Reads /proc/net/tcp so that no probe connection
    /// reaches s_server (it would count against `-naccept` and show in its log); where that file
    /// cannot be read, a connection is tried instead.
    /// A /proc table read to EOF: a seq_file hands out one page per read, and a single read would
    /// miss listeners past the first page.
    public static func procTable(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public static func isListening(port: Int) -> Bool {
        guard let table = procTable("/proc/net/tcp") else {
            guard let fd = LabSocket.connect(port: port, timeout: 0.2) else { return false }
            close(fd)
            return true
        }
        // "sl local_address rem_address st": a listening socket has no remote end and state 0A.
        // A plain substring search stays fast when tens of thousands of TIME_WAIT lines follow.
        return table.contains("0100007F:" + String(format: "%04X", port) + " 00000000:0000 0A")
    }
}
