public import Foundation

/// A small PKI for tests and the lab: a root, an intermediate, and one leaf per deficiency.
///
/// Files in `directory`: `ca.pem` (root only), `intermediate.pem`, and for each leaf
/// `<name>.pem` (leaf only), `<name>.key`, `<name>-chain.pem` (leaf + intermediate).
/// Serving `<name>.pem` without the chain gives a "missing intermediate" server.
/// Building it generates eleven keys (about a second). Throws what `CertificateFactory` throws.
public struct LabPKI: Sendable {
    public static let hostNames = ["localhost", "127.0.0.1", "::1"]

    public let directory: URL
    public let root: IssuedCertificate
    public let intermediate: IssuedCertificate
    /// RSA 2048, localhost/127.0.0.1/::1, valid now-1d…now+365d, issued by the intermediate.
    public let good: IssuedCertificate
    /// P-256, same names.
    public let ecdsa: IssuedCertificate
    /// Valid now-400d…now-10d.
    public let expired: IssuedCertificate
    /// Valid now+10d…now+400d.
    public let notYetValid: IssuedCertificate
    /// A self-signed leaf with the good names.
    public let selfSigned: IssuedCertificate
    /// Only `DNS:wrong.example.invalid`.
    public let wrongHost: IssuedCertificate
    /// Signed with SHA-1.
    public let sha1: IssuedCertificate
    /// RSA 1024.
    public let rsa1024: IssuedCertificate
    /// Expires in 10 days.
    public let expiringSoon: IssuedCertificate

    /// `ca.pem`: the root alone, for `-CAfile`.
    public var caPEMPath: String { root.certPEMPath }
    /// `intermediate.pem`: for `-cert_chain` or `-untrusted`.
    public var intermediatePEMPath: String { intermediate.certPEMPath }

    /// The leaves by name: good, ecdsa, expired, notYetValid, selfSigned, wrongHost, sha1, rsa1024, expiringSoon.
    public var leaves: [String: IssuedCertificate] {
        Dictionary(uniqueKeysWithValues: [
            good, ecdsa, expired, notYetValid, selfSigned, wrongHost, sha1, rsa1024, expiringSoon,
        ].map { ($0.name, $0) })
    }

    public init(directory: URL, now: Date = Date()) throws {
        let day: TimeInterval = 86_400
        func at(_ days: Double) -> Date { now.addingTimeInterval(days * day) }
        self.directory = directory

        let root = try CertificateFactory.selfSigned(
            CertificateSpec(
                name: "ca", commonName: "Sansang Lab Root CA", notBefore: at(-30), notAfter: at(3650),
                isCA: true, extendedKeyUsage: []
            ),
            in: directory
        )
        let intermediate = try CertificateFactory.issue(
            CertificateSpec(
                name: "intermediate", commonName: "Sansang Lab Intermediate CA", notBefore: at(-30), notAfter: at(1825),
                isCA: true, pathLength: 0, extendedKeyUsage: []
            ),
            by: root, in: directory
        )
        self.root = root
        self.intermediate = intermediate
        let names = Self.hostNames
        func leaf(_ name: String, _ configure: (inout CertificateSpec) -> Void = { _ in }) throws -> IssuedCertificate {
            var spec = CertificateSpec(
                name: name, commonName: "localhost", subjectAltNames: names, notBefore: at(-1), notAfter: at(365),
                extendedKeyUsage: ["serverAuth", "clientAuth"]
            )
            configure(&spec)
            return try CertificateFactory.issue(spec, by: intermediate, in: directory)
        }
        good = try leaf("good")
        ecdsa = try leaf("ecdsa") { $0.key = .ec(curve: "prime256v1") }
        expired = try leaf("expired") { $0.notBefore = at(-400); $0.notAfter = at(-10) }
        notYetValid = try leaf("notYetValid") { $0.notBefore = at(10); $0.notAfter = at(400) }
        wrongHost = try leaf("wrongHost") {
            $0.commonName = "wrong.example.invalid"
            $0.subjectAltNames = ["wrong.example.invalid"]
        }
        sha1 = try leaf("sha1") { $0.digest = "sha1" }
        rsa1024 = try leaf("rsa1024") { $0.key = .rsa(bits: 1024) }
        expiringSoon = try leaf("expiringSoon") { $0.notBefore = at(-355); $0.notAfter = at(10) }
        selfSigned = try CertificateFactory.selfSigned(
            CertificateSpec(
                name: "selfSigned", commonName: "localhost", subjectAltNames: names, notBefore: at(-1), notAfter: at(365),
                extendedKeyUsage: ["serverAuth", "clientAuth"]
            ),
            in: directory
        )
    }
}
