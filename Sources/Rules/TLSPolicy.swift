public import SansangCore
public import Foundation

/// A server-side TLS profile judged as a whole: every deviation is reported, as sslyze's
/// Mozilla checker does. Built in: the Mozilla profiles (guidelines 5.7) and the default
/// `csdlqg-level3` profile for a level-3 system connecting to CSDLQG về dân cư (A06-02..04).
public struct TLSPolicy: Sendable, Hashable {
    public var id: String
    public var title: Localized
    public var protocols: Set<TLSVersion>
    /// Allowed TLS 1.3 suites by IANA name.
    public var tls13Suites: Set<String>
    /// Allowed TLS ≤ 1.2 suites by IANA name; nil means "any suite with forward secrecy and AEAD".
    public var legacySuites: Set<String>?
    /// Allowed groups by name; nil allows any group of 128-bit strength or more (and ffdhe2048+).
    public var groups: Set<String>?
    public var certificateKeyTypes: Set<String>
    public var minimumRSABits: Int
    public var minimumECBits: Int
    public var minimumDHBits: Int
    /// Longest certificate validity period accepted, in days.
    public var maximumCertificateLifetimeDays: Int?

    public static let mozillaModern = TLSPolicy(
        id: "mozilla-modern", title: Localized(vi: "Mozilla Modern (5.7)", en: "Mozilla Modern (5.7)"),
        protocols: [.tls13], tls13Suites: mozillaTLS13, legacySuites: [],
        groups: ["x25519", "secp256r1", "secp384r1", "X25519MLKEM768"], certificateKeyTypes: ["EC"],
        minimumRSABits: 2048, minimumECBits: 256, minimumDHBits: 2048, maximumCertificateLifetimeDays: 90
    )

    public static let mozillaIntermediate = TLSPolicy(
        id: "mozilla-intermediate", title: Localized(vi: "Mozilla Intermediate (5.7)", en: "Mozilla Intermediate (5.7)"),
        protocols: [.tls12, .tls13], tls13Suites: mozillaTLS13, legacySuites: intermediateSuites,
        groups: ["x25519", "secp256r1", "secp384r1", "X25519MLKEM768", "ffdhe2048", "ffdhe3072", "ffdhe4096"],
        certificateKeyTypes: ["RSA", "EC"], minimumRSABits: 2048, minimumECBits: 256, minimumDHBits: 2048,
        maximumCertificateLifetimeDays: 366
    )

    public static let mozillaOld = TLSPolicy(
        id: "mozilla-old", title: Localized(vi: "Mozilla Old (5.7)", en: "Mozilla Old (5.7)"),
        protocols: [.tls10, .tls11, .tls12, .tls13], tls13Suites: mozillaTLS13, legacySuites: intermediateSuites.union(oldExtraSuites),
        groups: ["x25519", "secp256r1", "secp384r1", "X25519MLKEM768", "ffdhe2048", "ffdhe3072", "ffdhe4096"],
        certificateKeyTypes: ["RSA", "EC"], minimumRSABits: 2048, minimumECBits: 256, minimumDHBits: 1024,
        maximumCertificateLifetimeDays: 366
    )

    /// The default: TLS 1.2/1.3 only, forward-secret AEAD suites, RSA ≥ 2048 / ECDSA ≥ 256, DH ≥ 2048.
    public static let csdlqgLevel3 = TLSPolicy(
        id: "csdlqg-level3",
        title: Localized(vi: "Hệ thống cấp độ 3 kết nối CSDLQG về dân cư (A06-02..04)", en: "Level-3 system connecting to the national population database (A06-02..04)"),
        protocols: [.tls12, .tls13], tls13Suites: mozillaTLS13.union(["TLS_AES_128_CCM_SHA256"]), legacySuites: nil, groups: nil,
        certificateKeyTypes: ["RSA", "EC"], minimumRSABits: 2048, minimumECBits: 256, minimumDHBits: 2048,
        maximumCertificateLifetimeDays: nil
    )

    public static let builtin: [TLSPolicy] = [csdlqgLevel3, mozillaModern, mozillaIntermediate, mozillaOld]

    public static func named(_ id: String) -> TLSPolicy? { builtin.first { $0.id == id } }

    static let mozillaTLS13: Set<String> = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
    static let intermediateSuites: Set<String> = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ]
    static let oldExtraSuites: Set<String> = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    ]

    func allows(_ suite: CipherSuiteFact, on version: TLSVersion) -> Bool {
        if version == .tls13 { return tls13Suites.contains(suite.name) }
        if let legacySuites { return legacySuites.contains(suite.name) }
        return suite.forwardSecrecy && suite.aead && !suite.isInsecure && suite.bits >= 128
    }

    func allows(group: String) -> Bool {
        if let groups { return groups.contains(group) }
        if group.hasPrefix("ffdhe") { return true }
        return (BuiltinGroups.bits(group) ?? 0) >= 128
    }

    /// Every way `tls` deviates from this policy.
    public func deviations(_ tls: TLSFacts, now: Date) -> [FindingDraft] {
        var out: [FindingDraft] = []
        for version in TLSVersion.allCases where tls.protocols[version] == true && !protocols.contains(version) {
            out.append(FindingDraft(subject: "protocol:\(version.rawValue)", evidence: "\(version.rawValue) is enabled; \(id) allows \(protocols.sorted().map(\.rawValue).joined(separator: ", "))."))
        }
        for version in protocols.sorted() where version >= .tls12 && tls.protocols[version] == false {
            out.append(FindingDraft(subject: "protocol-missing:\(version.rawValue)", evidence: "\(version.rawValue) is not enabled; \(id) expects it.", severity: .low))
        }
        for version in TLSVersion.allCases {
            let rejected = (tls.cipherSuites[version.rawValue] ?? []).filter { !allows($0, on: version) }
            guard protocols.contains(version), !rejected.isEmpty else { continue }
            out.append(FindingDraft(subject: "ciphers:\(version.rawValue)", evidence: "\(version.rawValue) accepts suites outside \(id): " + rejected.map(\.name).joined(separator: ", ") + "."))
        }
        let badGroups = tls.groups.filter { !allows(group: $0) }
        if !badGroups.isEmpty {
            out.append(FindingDraft(subject: "groups", evidence: "Groups outside \(id): " + badGroups.joined(separator: ", ") + ".", severity: .low))
        }
        if let dh = tls.dhBits, dh < minimumDHBits {
            out.append(FindingDraft(subject: "dh-size", evidence: "DH prime of \(dh) bits; \(id) requires at least \(minimumDHBits)."))
        }
        if let leaf = tls.certificate?.leaf {
            if !certificateKeyTypes.contains(leaf.keyType) {
                out.append(FindingDraft(subject: "certificate-type", evidence: "Certificate key is \(leaf.keyType); \(id) expects \(certificateKeyTypes.sorted().joined(separator: " or "))."))
            }
            if leaf.keyType == "RSA" && leaf.keyBits < minimumRSABits {
                out.append(FindingDraft(subject: "certificate-key", evidence: "RSA key of \(leaf.keyBits) bits; \(id) requires \(minimumRSABits)."))
            }
            if leaf.keyType == "EC" && leaf.keyBits < minimumECBits {
                out.append(FindingDraft(subject: "certificate-key", evidence: "EC key of \(leaf.keyBits) bits; \(id) requires \(minimumECBits)."))
            }
            if let maximum = maximumCertificateLifetimeDays {
                let days = Int(leaf.notAfter.timeIntervalSince(leaf.notBefore) / 86400)
                if days > maximum {
                    out.append(FindingDraft(subject: "certificate-lifetime", evidence: "Certificate valid for \(days) days; \(id) allows \(maximum).", severity: .low))
                }
            }
        }
        return out
    }

    /// The rule that reports this policy's deviations: `tls.policy.<id>`.
    public var rule: TLSRule {
        let policy = self
        return TLSRule(.tls(
            "tls.policy.\(id)", .medium,
            vi: "Cấu hình TLS lệch khỏi hồ sơ \(title.vi)", en: "TLS configuration deviates from the \(title.en) profile",
            fixVi: "Sửa từng điểm lệch được liệt kê để khớp hồ sơ \(id) (giao thức, bộ mã, nhóm khóa, chứng thư).",
            fixEn: "Fix each listed deviation to match the \(id) profile (protocols, suites, groups, certificate).",
            requirements: ["A06-02", "A06-03", "A06-04"]
        )) { tls, settings, _ in
            let drafts = policy.deviations(tls, now: settings.now)
            if !drafts.isEmpty { return .fail(drafts) }
            if TLSVersion.allCases.contains(where: { tls.protocols[$0] == nil }) {
                return .inconclusive("not all protocols could be tested")
            }
            return .pass
        }
    }
}
