import ConfigProbe
import Foundation
import SansangCore
import Testing

@Suite struct ConfigRulesTests {
    @Test func theGoodNginxFixturePassesEveryNginxRule() {
        let config = ConfigProbe.read([ConfigFixture.path("nginx-good/nginx.conf")])
        let verdicts = ConfigFixture.verdicts(config).filter { $0.key.hasPrefix("config.nginx.") }
        #expect(verdicts.count == 9)
        for (id, verdict) in verdicts { #expect(verdict == .pass, "\(id): \(verdict)") }
    }

    @Test func theBadNginxFixtureFailsEachRule() throws {
        let config = ConfigProbe.read([ConfigFixture.path("nginx-bad/nginx.conf")])
        #expect(config.errors.isEmpty)
        let verdicts = ConfigFixture.verdicts(config)
        #expect(ConfigFixture.failing(config, prefix: "config.nginx.") == [
            "config.nginx.tls-protocols", "config.nginx.weak-ciphers", "config.nginx.server-tokens", "config.nginx.hsts-missing",
            "config.nginx.autoindex", "config.nginx.rate-limit-missing", "config.nginx.client-verify-off",
            "config.nginx.integration-open", "config.nginx.admin-unrestricted",
        ])
        let protocols = try #require(verdicts["config.nginx.tls-protocols"]?.drafts.first)
        #expect(protocols.evidence.contains("nginx-bad/nginx.conf:14: ssl_protocols TLSv1 TLSv1.1 TLSv1.2") && protocols.evidence.contains("TLSv1, TLSv1.1"))
        #expect(protocols.subject.hasSuffix("nginx.conf server dvc.example.gov.vn"))
        #expect(verdicts["config.nginx.weak-ciphers"]?.drafts.first?.evidence.contains("RC4-SHA, DES-CBC3-SHA") == true)
        // HSTS is set in http, but location / drops it with its own add_header.
        let hsts = try #require(verdicts["config.nginx.hsts-missing"]?.drafts)
        #expect(hsts.map(\.subject).allSatisfy { $0.contains("location") } && hsts.count == 1)
        #expect(verdicts["config.nginx.admin-unrestricted"]?.drafts.map(\.subject).first?.hasSuffix("location /quan-tri/") == true)
        #expect(verdicts["config.nginx.client-verify-off"]?.drafts.first?.evidence.contains("ssl_verify_client off") == true)
    }

    @Test func withoutAMarkedIntegrationServerTheMTLSRuleIsInconclusive() throws {
        let directory = try ConfigFixture.temporary("nomark")
        let path = directory.appendingPathComponent("site.conf").path
        try "http { server { listen 443 ssl; server_name www.example.gov.vn; } }\n".write(toFile: path, atomically: true, encoding: .utf8)
        let verdict = ConfigFixture.verdicts(ConfigProbe.read(["nginx:" + path]))["config.nginx.client-verify-off"]
        guard case .inconclusive(let reason)? = verdict else { Issue.record("\(String(describing: verdict))"); return }
        #expect(reason.contains("# sansang: integration"))
    }

    @Test func sshdFixtures() throws {
        let good = ConfigProbe.read([ConfigFixture.path("sshd/sshd_config.good")])
        #expect(good.errors.isEmpty && good.sshd.count == 1)
        #expect(good.sshd.first?.setting("allowgroups")?.arguments == ["ssh users"])
        #expect(good.sshd.first?.matches.first?.setting("MaxAuthTries")?.line == 18)
        #expect(ConfigFixture.failing(good, prefix: "config.sshd.").isEmpty)

        let bad = ConfigProbe.read([ConfigFixture.path("sshd/sshd_config.bad")])
        #expect(ConfigFixture.failing(bad, prefix: "config.sshd.") == [
            "config.sshd.permit-root-login", "config.sshd.password-auth", "config.sshd.weak-algorithms",
            "config.sshd.client-alive", "config.sshd.max-auth-tries",
        ])
        let verdicts = ConfigFixture.verdicts(bad)
        // PasswordAuthentication=no globally, but a Match block turns it back on.
        let password = try #require(verdicts["config.sshd.password-auth"]?.drafts)
        #expect(password.count == 1 && password[0].subject.contains("Match User deploy"))
        let weak = try #require(verdicts["config.sshd.weak-algorithms"]?.drafts.map(\.evidence).joined(separator: " | "))
        #expect(weak.contains("aes256-cbc, 3des-cbc") && weak.contains("hmac-sha1") && weak.contains("diffie-hellman-group1-sha1"))
    }

    @Test func sshdDefaultsAreJudgedAndIncludesFollowedFirstValueWins() throws {
        let directory = try ConfigFixture.temporary("sshd")
        let included = directory.appendingPathComponent("sshd_config.d/10-local.conf")
        try FileManager.default.createDirectory(at: included.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "PermitRootLogin no\nPasswordAuthentication no\n".write(to: included, atomically: true, encoding: .utf8)
        let main = directory.appendingPathComponent("sshd_config").path
        try "Include \(directory.path)/sshd_config.d/*.conf\nPermitRootLogin yes\n# nothing else: defaults apply\n".write(toFile: main, atomically: true, encoding: .utf8)
        let config = ConfigProbe.read([main])
        #expect(config.errors.isEmpty)
        #expect(config.sshd.first?.setting("PermitRootLogin")?.file == included.path)
        let failing = ConfigFixture.failing(config, prefix: "config.sshd.")
        #expect(failing == ["config.sshd.client-alive", "config.sshd.max-auth-tries"])  // defaults 0 and 6
        if FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") {
            let result = try SSHD.test(main)
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test(arguments: [
        ("PermitRootLogin\n", 1, "missing argument"),
        ("Port 22\nBanner \"/etc/issue\n", 2, "unterminated"),
        ("Port 22\nInclude /nonexistent/sansang.conf\n", 2, "does not exist"),
        ("Permit-Root yes\n", 1, "bad configuration option"),
    ])
    func sshdErrorsNameFileAndLine(text: String, line: Int, message: String) throws {
        let path = try ConfigFixture.temporary("sshd-error").appendingPathComponent("sshd_config").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let config = ConfigProbe.read([path])
        let issue = try #require(config.errors.first)
        #expect(issue.file == path && issue.line == line && issue.message.contains(message), "\(issue)")
        #expect(ConfigFixture.failing(config).contains("config.parse-error"))
    }

    @Test func sshdAgreesTheFixturesAreValid() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else { return }
        for name in ["sshd_config.good", "sshd_config.bad"] {
            let result = try SSHD.test(ConfigFixture.path("sshd/\(name)"))
            #expect(result.status == 0, "sshd -t \(name): \(result.output)")
        }
        let broken = try ConfigFixture.temporary("sshd-broken").appendingPathComponent("sshd_config").path
        try "PermitRootLogin\n".write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try SSHD.test(broken).status != 0)
    }

    @Test func apacheFixture() throws {
        let config = ConfigProbe.read(["apache:" + ConfigFixture.path("apache/httpd.conf")])
        #expect(config.errors.isEmpty, "\(config.errors)")
        let apache = try #require(config.apache.first)
        #expect(apache.virtualHosts.map(\.address) == ["*:443", "*:8443"])
        #expect(apache.virtualHosts[0].values("SSLProtocol").first?.arguments == ["all", "-SSLv3"])  // inherited from the server config
        let verdicts = ConfigFixture.verdicts(config)
        #expect(ConfigFixture.failing(config, prefix: "config.apache.") == [
            "config.apache.tls-protocols", "config.apache.weak-ciphers", "config.apache.server-tokens",
            "config.apache.hsts-missing", "config.apache.directory-listing",
        ])
        // Only the first virtual host is deficient in TLS.
        #expect(verdicts["config.apache.tls-protocols"]?.drafts.map(\.subject).allSatisfy { $0.hasSuffix("*:443") } == true)
        #expect(verdicts["config.apache.hsts-missing"]?.drafts.count == 1)
    }

    @Test func apacheUnclosedSection() throws {
        let path = try ConfigFixture.temporary("apache").appendingPathComponent("httpd.conf").path
        try "ServerTokens Prod\n<VirtualHost *:443>\n  SSLEngine on\n</Directory>\n".write(toFile: path, atomically: true, encoding: .utf8)
        let config = ConfigProbe.read(["apache:" + path])
        #expect(config.errors.map(\.line) == [4, 2])
    }

    @Test func anUnreadableFileIsAFindingNotACrash() {
        let config = ConfigProbe.read(["/nonexistent/sansang/nginx.conf", "sshd:/nonexistent/sshd_config"])
        #expect(config.errors.count == 2)
        let verdicts = ConfigFixture.verdicts(config)
        #expect(verdicts["config.parse-error"]?.drafts.count == 2)
        if case .inconclusive? = verdicts["config.sshd.permit-root-login"] {} else { Issue.record("expected inconclusive") }
    }
}

enum SSHD {
    /// `sshd -t -f FILE` with a throwaway host key (sshd needs one, and /run/sshd).
    static func test(_ path: String) throws -> (status: Int32, output: String) {
        let directory = try ConfigFixture.temporary("hostkey")
        let key = directory.appendingPathComponent("host_ed25519").path
        _ = try ConfigFixture.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])
        if !FileManager.default.fileExists(atPath: "/run/sshd") {
            try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        return try ConfigFixture.run("/usr/sbin/sshd", ["-t", "-f", path, "-h", key])
    }
}
