import Foundation
import Testing
import Engine
import PortProbe
import SansangCore
import TLSLab
#if canImport(Glibc)
import Glibc
#endif

/// The SSH audit against Debian's real OpenSSH server on loopback: its default algorithms pass,
/// and the weak ones an old configuration re-enables are each reported.
@Suite(.serialized) struct SSHDTests {
    static let sshd = "/usr/sbin/sshd"

    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        try LabCommand.run(executable, arguments, timeout: 30).status
    }

    /// Starts `sshd -D` with `extra` configuration lines on 127.0.0.1:port; stops it by PID.
    final class Server {
        var process: ChildProcess?
        let port: Int

        init(directory: URL, extra: [String]) throws {
            port = try unusedLoopbackPort()
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            for type in ["ed25519", "rsa"] {
                let key = directory.appendingPathComponent("host_\(type)").path
                if !FileManager.default.fileExists(atPath: key) {
                    #expect(try SSHDTests.run("/usr/bin/ssh-keygen", ["-q", "-t", type, "-N", "", "-f", key]) == 0)
                }
            }
            let config = directory.appendingPathComponent("sshd_config_\(port)")
            let lines = [
                "Port \(port)", "ListenAddress 127.0.0.1", "HostKey \(directory.appendingPathComponent("host_ed25519").path)",
                "HostKey \(directory.appendingPathComponent("host_rsa").path)", "PidFile \(directory.appendingPathComponent("sshd_\(port).pid").path)",
                "UsePAM no", "PasswordAuthentication no", "PermitRootLogin no",
            ] + extra
            try lines.joined(separator: "\n").appending("\n").write(to: config, atomically: true, encoding: .utf8)
            #expect(try SSHDTests.run(SSHDTests.sshd, ["-t", "-f", config.path]) == 0, "sshd -t rejects the test configuration")
            let child = try ChildProcess(executable: SSHDTests.sshd, arguments: ["-D", "-e", "-f", config.path])
            process = child
            let deadline = Date().addingTimeInterval(10)
            let needle = "0100007F:" + String(format: "%04X", port) + " 00000000:0000 0A"
            while Date() < deadline, child.isRunning {
                if let table = OpenSSLServer.procTable("/proc/net/tcp"), table.contains(needle) { return }
                usleep(50_000)
            }
            stop()
            throw SansangError(.io, "sshd did not listen on 127.0.0.1:\(port)")
        }

        func stop() { process?.stop(grace: 2) }

        deinit { stop() }
    }

    func scan(_ server: Server) async -> EndpointResult {
        var context = ProbeContext(connectionTimeout: .seconds(3), endpointTimeout: .seconds(30))
        context.ports = String(server.port)
        context.portConnectRate = 0
        context.portConnectRateOverall = 0
        var options = ScanOptions(context: context, checks: ["ports"])
        options.allowedPorts = [server.port]
        return await ScanRunner(options: options).scan(Endpoint(host: "127.0.0.1", port: server.port))
    }

    @Test func realOpenSSHDefaultsHardenedAndWeak() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.sshd), "openssh-server is required (ci/test installs it)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-sshd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let modern = try Server(directory: directory, extra: [])
        let good = await scan(modern)
        modern.stop()
        let ssh = try #require(good.facts[PortFacts.self]?.facts?.ports.first?.ssh)
        #expect(ssh.versionString.hasPrefix("SSH-2.0-OpenSSH_"))
        #expect(ssh.kexAlgorithms.contains { $0.contains("curve25519") })
        // Debian's defaults still offer hmac-sha1 and umac-64 MACs (ssh-audit warns about them too).
        let sshFindings = Set(good.findings.filter { $0.ruleId.hasPrefix("ssh.") }.map(\.ruleId))
        #expect(sshFindings == ["ssh.mac.weak"], "\(sshFindings)")

        let hardened = try Server(directory: directory, extra: ["MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com"])
        let clean = await scan(hardened)
        hardened.stop()
        #expect(clean.findings.filter { $0.ruleId.hasPrefix("ssh.") }.isEmpty, "\(clean.findings.map(\.ruleId))")

        let weak = try Server(directory: directory, extra: [
            "KexAlgorithms +diffie-hellman-group14-sha1", "Ciphers +aes128-cbc", "MACs +hmac-sha1", "HostKeyAlgorithms +ssh-rsa",
        ])
        let bad = await scan(weak)
        weak.stop()
        let ids = Set(bad.findings.map(\.ruleId))
        for id in ["ssh.kex.sha1", "ssh.cipher.cbc", "ssh.mac.weak", "ssh.hostkey.ssh-rsa"] {
            #expect(ids.contains(id), "missing \(id) in \(ids.sorted())")
        }
        #expect(!ids.contains("ssh.protocol.v1"))
    }
}
