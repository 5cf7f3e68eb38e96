import Engine
import Foundation
import Rules
import SansangCore
import TLSLab
import TLSProbe

/// One lab PKI for the whole test process (eleven key generations), and scan helpers.
enum IntegrationLab {
    static let pki: Result<LabPKI, any Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-it-\(ProcessInfo.processInfo.processIdentifier)-pki")
        return try LabPKI(directory: directory)
    }

    /// Scans one target through the whole pipeline, as `sansang scan` does.
    static func scan(
        _ target: String, caFile: String? = nil, policy: TLSPolicy = .csdlqgLevel3,
        connectionTimeout: Duration = .seconds(3), endpointTimeout: Duration = .seconds(60)
    ) async throws -> EndpointResult {
        let context = ProbeContext(connectionTimeout: connectionTimeout, endpointTimeout: endpointTimeout, caFile: caFile)
        let runner = ScanRunner(options: ScanOptions(context: context, policy: policy))
        return await runner.scan(try Endpoint.parse(target))
    }

    /// `openssl s_server` with the lab's `good` certificate and chain unless told otherwise.
    static func server(_ certificate: KeyPath<LabPKI, IssuedCertificate> = \.good, chain: Bool = true, _ arguments: [String] = []) throws -> OpenSSLServer {
        let pki = try pki.get()
        let issued = pki[keyPath: certificate]
        return try OpenSSLServer(certificate: issued, chainPath: chain ? pki.intermediatePEMPath : nil, extraArguments: arguments)
    }
}

extension EndpointResult {
    var tls: TLSFacts? { facts[TLSFacts.self]?.facts }
    var ruleIds: Set<String> { Set(findings.map(\.ruleId)) }

    func names(_ version: TLSVersion) -> [String] {
        (tls?.cipherSuites[version.rawValue] ?? []).map(\.name)
    }
}

/// What Debian's OpenSSL itself says a cipher string enables for TLS ≤ 1.2, by IANA name.
func opensslCipherNames(_ cipherString: String) throws -> Set<String> {
    let (_, text) = try LabCommand.run("/usr/bin/openssl", ["ciphers", "-stdname", "-tls1_2", cipherString], timeout: 30)
    let data = Data(text.utf8)
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
    return Set(lines.compactMap { line in
        let name = line.split(separator: " ").first.map(String.init) ?? ""
        return name.hasPrefix("TLS_") && !name.hasPrefix("TLS_AES") && !name.hasPrefix("TLS_CHACHA") ? name : nil
    })
}

#if canImport(Glibc)
import Glibc
#endif

/// A loopback port nothing listens on (bound, read, released).
func unusedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SansangError(.io, "socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw SansangError(.io, "bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
