import Foundation
import Testing
@testable import Rules
import SansangCore

enum PortFixture {
    static func port(_ number: Int, _ service: String?, by: String = "banner", tls: Bool? = nil, startTLS: Bool? = nil, ssh: SSHFacts? = nil) -> PortResult {
        PortResult(port: number, state: .open, milliseconds: 1, service: service, identifiedBy: service == nil ? nil : by, tls: tls, startTLS: startTLS, ssh: ssh)
    }

    static let weakSSH = SSHFacts(
        versionString: "SSH-2.0-OpenSSH_7.4", protocolVersion: "2.0", software: "OpenSSH_7.4",
        kexAlgorithms: ["curve25519-sha256", "diffie-hellman-group14-sha1"], hostKeyAlgorithms: ["ssh-rsa", "ssh-dss"],
        ciphers: ["aes128-ctr", "aes128-cbc", "arcfour"], macs: ["hmac-sha2-256", "hmac-md5"], compression: ["none"]
    )
    static let modernSSH = SSHFacts(
        versionString: "SSH-2.0-OpenSSH_9.6", protocolVersion: "2.0", software: "OpenSSH_9.6",
        kexAlgorithms: ["sntrup761x25519-sha512@openssh.com", "curve25519-sha256"], hostKeyAlgorithms: ["ssh-ed25519", "rsa-sha2-512"],
        ciphers: ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com"], macs: ["hmac-sha2-256-etm@openssh.com"], compression: ["none"]
    )

    static func facts(_ ports: [PortResult], closed: Int = 0, filtered: Int = 0, unscanned: Int = 0) -> PortFacts {
        PortFacts(spec: "top-100", address: "127.0.0.1", requested: ports.count + closed + filtered + unscanned, unscanned: unscanned,
                  counts: PortCounts(open: ports.count, closed: closed, filtered: filtered), ports: ports)
    }

    static func verdicts(_ attempt: ProbeAttempt<PortFacts>?, allowed: Set<Int>? = nil) -> [String: RuleVerdict] {
        var set = FactSet()
        if let attempt { set.record(attempt) }
        var settings = RuleSettings(now: Date(timeIntervalSince1970: 1_795_000_000))
        settings.allowedPorts = allowed
        let input = RuleInput(endpoint: Endpoint(host: "127.0.0.1", port: 443), facts: set, settings: settings)
        var out: [String: RuleVerdict] = [:]
        for rule in PortRules.all { out[rule.meta.id] = rule.evaluate(input) }
        return out
    }

    static func subjects(_ verdict: RuleVerdict?) -> [String] {
        if case .fail(let drafts) = verdict { return drafts.map(\.subject) }
        return []
    }
}

@Suite struct PortRulesTests {
    @Test func idsAreUniqueAndBilingual() {
        let metas = PortRules.all.map(\.meta)
        #expect(Set(metas.map(\.id)).count == metas.count)
        for meta in metas {
            #expect(!meta.title.vi.isEmpty && !meta.title.en.isEmpty && !meta.remediation.vi.isEmpty && !meta.remediation.en.isEmpty)
            #expect(meta.title.vi != meta.title.en)
            #expect(!meta.requirements.isEmpty)
            #expect(meta.probe == "ports")
        }
        let ids = Set(metas.map(\.id))
        for id in ["port.exposed.database", "port.exposed.remote-admin", "port.cleartext.telnet", "port.cleartext.ftp", "port.exposed.unexpected",
                   "ssh.kex.sha1", "ssh.cipher.cbc", "ssh.hostkey.ssh-rsa", "ssh.mac.weak", "ssh.protocol.v1", "port.docker-api.exposed"] {
            #expect(ids.contains(id), "missing \(id)")
        }
        #expect(Set(RuleCatalog.everything.map(\.meta.id)).isSuperset(of: ids))
    }

    @Test func missingFactsNeverPass() {
        for (_, verdict) in PortFixture.verdicts(nil) { #expect(verdict == .notApplicable) }
        for (id, verdict) in PortFixture.verdicts(.failed(ProbeFailure(kind: "scope", reason: "refusing"))) {
            #expect(verdict == .inconclusive("refusing"), "\(id)")
        }
    }

    @Test func aQuietHostPasses() {
        let verdicts = PortFixture.verdicts(.completed(PortFixture.facts([PortFixture.port(443, "https", by: "probe", tls: true)], filtered: 99)))
        for id in ["port.exposed.database", "port.exposed.remote-admin", "port.cleartext.telnet", "port.exposed.unexpected", "port.firewall.no-filtering"] {
            #expect(verdicts[id] == .pass, "\(id)")
        }
        #expect(verdicts["ssh.kex.sha1"] == .notApplicable)
    }

    @Test func exposureFindings() {
        let ports = [
            PortFixture.port(21, "ftp"), PortFixture.port(23, "telnet"), PortFixture.port(22, "ssh", ssh: PortFixture.modernSSH),
            PortFixture.port(3306, "mysql"), PortFixture.port(6379, "redis", by: "probe"), PortFixture.port(2375, "docker-api", by: "probe"),
            PortFixture.port(10000, "webmin", by: "probe", tls: false), PortFixture.port(443, "https", by: "probe", tls: true),
            PortFixture.port(5432, nil), PortFixture.port(25, "smtp", startTLS: false),
        ]
        let verdicts = PortFixture.verdicts(.completed(PortFixture.facts(ports, closed: 200)))
        #expect(PortFixture.subjects(verdicts["port.exposed.database"]) == ["tcp/3306", "tcp/6379"])
        #expect(PortFixture.subjects(verdicts["port.exposed.remote-admin"]) == ["tcp/23", "tcp/22", "tcp/10000"])
        #expect(PortFixture.subjects(verdicts["port.cleartext.telnet"]) == ["tcp/23"])
        #expect(PortFixture.subjects(verdicts["port.cleartext.ftp"]) == ["tcp/21"])
        #expect(PortFixture.subjects(verdicts["port.cleartext.http-admin"]) == ["tcp/10000"])
        #expect(PortFixture.subjects(verdicts["port.docker-api.exposed"]) == ["tcp/2375"])
        #expect(PortFixture.subjects(verdicts["port.starttls.missing"]) == ["tcp/25"])
        #expect(PortFixture.subjects(verdicts["port.exposed.unexpected"]).count == 9)  // every open port but 443
        #expect(PortFixture.subjects(verdicts["port.firewall.no-filtering"]) == ["filtering"])
        #expect(verdicts["ssh.kex.sha1"] == .pass)
    }

    @Test func allowedPortsShapeOnlyTheUnexpectedRule() {
        let ports = [PortFixture.port(22, "ssh", ssh: PortFixture.modernSSH), PortFixture.port(8080, "http", by: "probe", tls: false), PortFixture.port(3306, "mysql")]
        let verdicts = PortFixture.verdicts(.completed(PortFixture.facts(ports)), allowed: [22, 8080, 3306])
        #expect(verdicts["port.exposed.unexpected"] == .pass)
        #expect(PortFixture.subjects(verdicts["port.exposed.database"]) == ["tcp/3306"])
        #expect(PortFixture.subjects(verdicts["port.exposed.remote-admin"]) == ["tcp/22"])
        guard case .fail(let drafts) = verdicts["port.exposed.database"] else { return }
        #expect(drafts[0].evidence.contains("allows this port"))
    }

    @Test func ftpWithAuthTLSIsMilder() {
        let verdicts = PortFixture.verdicts(.completed(PortFixture.facts([PortFixture.port(21, "ftp", startTLS: true)])))
        guard case .fail(let drafts) = verdicts["port.cleartext.ftp"] else {
            Issue.record("no finding")
            return
        }
        #expect(drafts[0].severity == .medium)
    }

    @Test func incompleteScanNeverPasses() {
        let verdicts = PortFixture.verdicts(.completed(PortFixture.facts([], closed: 10, unscanned: 90)))
        guard case .inconclusive = verdicts["port.exposed.database"] else {
            Issue.record("passed an incomplete scan")
            return
        }
    }

    @Test func sshPolicy() {
        let verdicts = PortFixture.verdicts(.completed(PortFixture.facts([PortFixture.port(22, "ssh", ssh: PortFixture.weakSSH)])))
        func evidence(_ id: String) -> String {
            if case .fail(let drafts) = verdicts[id] { return drafts.map(\.evidence).joined() }
            return ""
        }
        #expect(evidence("ssh.kex.sha1").contains("diffie-hellman-group14-sha1") && !evidence("ssh.kex.sha1").contains("curve25519"))
        #expect(evidence("ssh.cipher.cbc").contains("aes128-cbc"))
        #expect(evidence("ssh.cipher.weak").contains("arcfour"))
        #expect(evidence("ssh.mac.weak").contains("hmac-md5") && !evidence("ssh.mac.weak").contains("sha2"))
        #expect(evidence("ssh.hostkey.ssh-rsa").contains("ssh-rsa"))
        #expect(evidence("ssh.hostkey.dsa").contains("ssh-dss"))
        #expect(verdicts["ssh.protocol.v1"] == .pass)

        let modern = PortFixture.verdicts(.completed(PortFixture.facts([PortFixture.port(22, "ssh", ssh: PortFixture.modernSSH)])))
        for id in ["ssh.kex.sha1", "ssh.cipher.cbc", "ssh.cipher.weak", "ssh.mac.weak", "ssh.hostkey.ssh-rsa", "ssh.hostkey.dsa", "ssh.protocol.v1"] {
            #expect(modern[id] == .pass, "\(id)")
        }

        let v1 = SSHFacts(versionString: "SSH-1.5-Cisco", protocolVersion: "1.5", software: "Cisco", kexinitError: "SSH protocol 1.5 only: no KEXINIT")
        let old = PortFixture.verdicts(.completed(PortFixture.facts([PortFixture.port(22, "ssh", ssh: v1)])))
        #expect(PortFixture.subjects(old["ssh.protocol.v1"]) == ["tcp/22"])
        guard case .inconclusive = old["ssh.kex.sha1"] else {
            Issue.record("an unread KEXINIT passed")
            return
        }
    }
}
