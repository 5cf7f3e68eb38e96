public import Foundation
import SansangCore

/// One endpoint of the demo lab, as written to `endpoints.json`.
public struct LabEndpoint: Codable, Sendable, Hashable {
    public var name: String
    /// `127.0.0.1:PORT`.
    public var target: String
    public var description: String
    /// The lab root CA, to trust when scanning.
    public var caFile: String

    public init(name: String, target: String, description: String, caFile: String) {
        self.name = name
        self.target = target
        self.description = description
        self.caFile = caFile
    }
}

/// A demo "province" of TLS endpoints on 127.0.0.1, good and deficient, for `sansang-lab demo`.
///
/// Builds a `LabPKI` in `directory/pki`, starts the servers, writes `directory/endpoints.json`.
/// Throws what `LabPKI`, `OpenSSLServer` and `FakeTLSServer` throw; servers already started
/// are stopped before it throws. `stop()` (also run by `deinit`) stops every server.
public final class DemoLab: @unchecked Sendable {
    public let directory: URL
    public let pki: LabPKI
    public let endpoints: [LabEndpoint]
    private let lock = NSLock()
    private var openSSLServers: [OpenSSLServer]
    private var fakeServers: [FakeTLSServer]

    /// Child pids of the s_server processes.
    public var childPIDs: [Int32] { lock.lock(); defer { lock.unlock() }; return openSSLServers.map(\.pid) }

    public var endpointsFile: URL { directory.appendingPathComponent("endpoints.json") }

    public init(directory: URL) throws {
        self.directory = directory
        try CertificateFactory.createDirectory(directory)
        try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        let pki = try LabPKI(directory: directory.appendingPathComponent("pki"))
        self.pki = pki

        var started: [OpenSSLServer] = []
        var fakes: [FakeTLSServer] = []
        var endpoints: [LabEndpoint] = []
        func add(_ name: String, _ target: String, _ description: String) {
            endpoints.append(LabEndpoint(name: name, target: target, description: description, caFile: pki.caPEMPath))
        }
        do {
            let good = try OpenSSLServer(
                certificate: pki.good, chainPath: pki.intermediatePEMPath,
                extraArguments: [
                    "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305",
                    "-no_tls1", "-no_tls1_1",
                ]
            )
            started.append(good)
            add("lgsp-good", good.target, "TLS 1.2 and 1.3, ECDHE with AEAD only, valid certificate with its intermediate")

            let legacy = try OpenSSLServer(
                certificate: pki.rsa1024, chainPath: pki.intermediatePEMPath,
                extraArguments: ["-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0", "-min_protocol", "TLSv1", "-no_tls1_3"]
            )
            started.append(legacy)
            add("tthc-legacy", legacy.target, "TLS 1.0 to 1.2, no TLS 1.3, every suite OpenSSL has including NULL and anonymous, RSA 1024 key")

            let expired = try OpenSSLServer(certificate: pki.expired, chainPath: pki.intermediatePEMPath)
            started.append(expired)
            add("portal-expired", expired.target, "TLS 1.2 and 1.3, certificate expired 10 days ago")

            let selfSigned = try OpenSSLServer(certificate: pki.selfSigned)
            started.append(selfSigned)
            add("sso-selfsigned", selfSigned.target, "TLS 1.2 and 1.3, self-signed certificate")

            let noChain = try OpenSSLServer(certificate: pki.good)
            started.append(noChain)
            add("onegate-nochain", noChain.target, "TLS 1.2 and 1.3, valid leaf sent without its intermediate")

            let sslv3 = try FakeTLSServer(config: FakeTLSConfig(
                versions: [0x0300, 0x0301], cipherSuites: [0x0005, 0x0004, 0x000A, 0x0003],
                certificateChainPEM: pki.good.chainPEMPath, compression: true
            ))
            fakes.append(sslv3)
            add("esb-sslv3-rc4", sslv3.target, "fake: SSLv3 and TLS 1.0, RC4, 3DES and EXPORT suites, DEFLATE compression, no secure renegotiation")

            let sslv2 = try FakeTLSServer(config: FakeTLSConfig(
                versions: [0x0002, 0x0300], cipherSuites: [0x000A, 0x0005],
                sslv2CipherKinds: [0x010080, 0x0700C0, 0x020080], certificateChainPEM: pki.good.chainPEMPath
            ))
            fakes.append(sslv2)
            add("archive-sslv2", sslv2.target, "fake: SSLv2 (RC4, 3DES, RC4 EXPORT kinds) and SSLv3 with 3DES and RC4")
        } catch {
            started.forEach { $0.stop() }
            fakes.forEach { $0.stop() }
            throw error
        }
        openSSLServers = started
        fakeServers = fakes
        self.endpoints = endpoints

        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(endpoints).write(to: directory.appendingPathComponent("endpoints.json"), options: .atomic)
        } catch {
            stop()
            throw SansangError(.io, "cannot write endpoints.json in \(directory.path): \(error)")
        }
    }

    deinit { stop() }

    public func stop() {
        lock.lock()
        let servers = openSSLServers
        let fakes = fakeServers
        openSSLServers = []
        fakeServers = []
        lock.unlock()
        servers.forEach { $0.stop() }
        fakes.forEach { $0.stop() }
    }
}
