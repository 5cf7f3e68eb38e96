import Foundation
import Testing
import Engine
import Inventory
import SansangCore
import Store
import TLSLab
#if canImport(Glibc)
import Glibc
#endif

/// The province's timeline on real servers: a deficient endpoint, fixed, broken again.
@Suite(.serialized) struct LifecycleIntegrationTests {
    static func inventory(port: Int, directory: URL) throws -> Inventory {
        let text = """
        version: 1
        organization: {name: Sở Khoa học và Công nghệ, parent: UBND tỉnh Demo, abbreviation: SKHCN, place: Demo}
        authorization: {number: 01/QĐ-SKHCN, date: 2026-11-01, scope: Rà soát thử nghiệm}
        scope: {cidrs: [127.0.0.0/8]}
        systems:
          - id: lgsp
            name: LGSP
            kind: lgsp
            endpoints: ["127.0.0.1:\(port)"]
        """
        return try InventoryLoader.parse(text, source: directory.appendingPathComponent("inventory.yaml").path)
    }

    static let legacy = ["-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0", "-min_protocol", "TLSv1", "-no_tls1_3"]
    static let fixed = ["-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", "-no_tls1", "-no_tls1_1"]

    @Test func scanFixRescanBreakAgain() async throws {
        let pki = try IntegrationLab.pki.get()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-timeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try unusedLoopbackPort()
        let inventory = try Self.inventory(port: port, directory: directory)
        let store = try FindingStore.open(path: directory.appendingPathComponent("sansang.db").path)
        let context = ProbeContext(connectionTimeout: .seconds(3), caFile: pki.caPEMPath)
        let scanner = InventoryScan(inventory: inventory, store: store, context: context, trigger: "test", actor: "kỹ sư")
        let system = try #require(inventory.system("lgsp"))

        // 1. The first inspection: TLS 1.0/1.1, NULL and anonymous suites.
        var server = try OpenSSLServer(certificate: pki.good, chainPath: pki.intermediatePEMPath, extraArguments: Self.legacy, port: port)
        let first = try await scanner.run(system: system)
        server.stop()
        #expect(first.summary.status == .complete)
        let weakRules: Set<String> = ["tls.protocol.tls10", "tls.protocol.tls11", "tls.cipher.null", "tls.cipher.anonymous"]
        let openRules = Set(try store.findings(FindingFilter(system: "lgsp", states: [.open])).map(\.ruleID))
        #expect(openRules.isSuperset(of: weakRules), "\(openRules)")

        // 2. The province fixes nginx/s_server; the re-inspection verifies the fix.
        server = try OpenSSLServer(certificate: pki.good, chainPath: pki.intermediatePEMPath, extraArguments: Self.fixed, port: port)
        let second = try await scanner.run(system: system)
        server.stop()
        #expect(second.summary.status == .complete)
        #expect(second.summary.fixed >= weakRules.count)
        let diff = try store.diff(from: first.scanID, to: second.scanID)
        #expect(Set(diff.fixed.map(\.ruleID)).isSuperset(of: weakRules))
        #expect(diff.new.isEmpty, "\(diff.new.map(\.ruleID))")
        for rule in weakRules {
            #expect(try store.findings(FindingFilter(ruleID: rule)).first?.state == .fixed, "\(rule)")
        }

        // 3. The endpoint is down: an incomplete scan must not touch anything.
        let down = try await scanner.run(system: system)
        #expect(down.summary.status == .incomplete)
        #expect(down.summary.fixed == 0 && down.summary.reopened == 0)

        // 4. Someone restores the old configuration: the findings reopen.
        server = try OpenSSLServer(certificate: pki.good, chainPath: pki.intermediatePEMPath, extraArguments: Self.legacy, port: port)
        let third = try await scanner.run(system: system)
        server.stop()
        #expect(third.summary.reopened >= weakRules.count)
        let reopened = try #require(try store.findings(FindingFilter(ruleID: "tls.protocol.tls10")).first)
        #expect(reopened.state == .reopened)
        #expect(try store.events(finding: reopened.id).map(\.kind) == ["finding.opened", "finding.fixed", "finding.reopened"])

        // 5. A risk accepted until yesterday reopens by itself.
        try store.acceptRisk(reopened.id, until: Date().addingTimeInterval(3600), approver: "Phó Giám đốc", reason: "máy trạm cũ", now: Date())
        #expect(try store.expireAcceptances(now: Date().addingTimeInterval(7200)) == 1)
        #expect(try store.finding(String(reopened.id))?.state == .reopened)
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func outOfScopeTargetsAreRefusedBeforeAnyPacket() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-scope-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = """
        version: 1
        organization: {name: Sở, parent: UBND tỉnh Demo, abbreviation: S, place: Demo}
        authorization: {number: 01/QĐ, date: 2026-11-01, scope: thử}
        scope: {cidrs: [127.0.0.2/32]}
        systems:
          - {id: a, name: A, endpoints: ["127.0.0.1:443"]}
          - {id: b, name: B, endpoints: ["localhost:443"]}
        """
        let inventory = try InventoryLoader.parse(text, source: "scope.yaml")
        let store = try FindingStore.inMemory()
        let scanner = InventoryScan(inventory: inventory, store: store, context: ProbeContext(), trigger: "test", actor: "t")
        for system in inventory.systems {
            await #expect {
                _ = try await scanner.run(system: system)
            } throws: { error in
                (error as? SansangError)?.code == .outOfScope && (error as? SansangError)?.reason.contains("01/QĐ") == true
            }
        }
        #expect(try store.scans().isEmpty)
    }
}

/// kill -9 in the middle of recording a large scan: the store stays consistent and nothing changes state.
@Suite struct CrashSafetyTests {
    static var sansang: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sansang").path
    }

    @Test func killedWhileRecordingLeavesTheStoreConsistent() throws {
        let binary = Self.sansang
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the sansang product first (swift build)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-crash-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        // A first, complete small scan gives findings with known states.
        let small = try LabCommand.run(binary, ["store", "bench", "--db", path, "--findings", "500", "--system", "bench"], timeout: 120)
        #expect(small.status == 0, "\(small.output)")
        let before = try FindingStore.open(path: path).findings()
        #expect(before.count == 500)

        // A large scan of the same system, killed while its recording transaction runs.
        let log = path + ".log"
        defer { unlink(log) }
        let big = try ChildProcess(executable: binary, arguments: ["store", "bench", "--db", path, "--findings", "60000", "--system", "bench", "--churn", "1"], stdoutPath: log)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, big.isRunning, !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("recording") {
            usleep(20_000)
        }
        usleep(300_000)
        let stillRunning = big.isRunning
        kill(big.pid, SIGKILL)
        big.stop(grace: 0)
        #expect(stillRunning, "the large scan finished before it could be killed; raise --findings")

        let reopened = try FindingStore.open(path: path)
        #expect(try reopened.integrityCheck() == "ok")
        let after = try reopened.findings()
        #expect(after.count == before.count, "no finding of the killed scan may have been recorded")
        let changed = zip(before, after).filter { $0.state != $1.state }.count
        #expect(changed == 0, "\(changed) finding(s) changed state")
        let scans = try reopened.scans()
        #expect(scans.first?.status == .interrupted)
        #expect(scans.last?.status == .complete)
    }
}
