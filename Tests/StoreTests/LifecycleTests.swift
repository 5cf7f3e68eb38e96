import Foundation
import Testing
@testable import Store
import SansangCore

/// Scan results built the way the engine produces them.
enum Timeline {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)
    static let endpoint = Endpoint(host: "127.0.0.1", port: 8443)

    static func meta(_ id: String, _ severity: Severity = .high) -> RuleMeta {
        RuleMeta(id: id, severity: severity, title: Localized(vi: "vi " + id, en: "en " + id), remediation: Localized(vi: "sửa", en: "fix"), requirements: ["A06-02"], probe: "tls")
    }

    static func finding(_ rule: String, _ subject: String, _ severity: Severity = .high) -> Finding {
        Finding(rule: meta(rule, severity), draft: FindingDraft(subject: subject, evidence: "seen \(subject)"), endpoint: endpoint)
    }

    /// One endpoint's result: failing findings, the rules that passed, whether the probe completed.
    static func result(_ findings: [Finding], passed: [String], complete: Bool = true) -> EndpointResult {
        var facts = FactSet()
        if complete {
            facts.record(ProbeAttempt<TLSFacts>.completed(TLSFacts()))
        } else {
            facts.record(ProbeAttempt<TLSFacts>.failed(ProbeFailure(kind: "timeout", reason: "no answer")))
        }
        return EndpointResult(endpoint: endpoint, facts: facts, findings: findings, inconclusive: [], passed: passed, startedAt: start, finishedAt: start)
    }

    static func day(_ n: Double) -> Date { start.addingTimeInterval(n * 86400) }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sansang-store-\(UUID().uuidString).db").path
    }
}

@Suite struct LifecycleTests {
    @Test func theProvinceTimeline() throws {
        let path = Timeline.temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try FindingStore.open(path: path)
        let tls10 = Timeline.finding("tls.protocol.tls10", "TLSv1.0")
        let rc4 = Timeline.finding("tls.cipher.rc4", "cipher-suites")

        // 23/5: the first inspection finds two weaknesses.
        let first = try store.beginScan(system: "lgsp", trigger: "cli", actor: "engineer", policy: "csdlqg-level3", now: Timeline.day(0))
        let s1 = try store.record(scan: first, system: "lgsp", results: [Timeline.result([tls10, rc4], passed: [])], actor: "engineer", now: Timeline.day(0))
        #expect(s1.new == 2 && s1.fixed == 0 && s1.status == .complete)
        #expect(try store.findings(FindingFilter(states: [.open])).count == 2)

        // The province fixes RC4; the re-inspection verifies it.
        let second = try store.beginScan(system: "lgsp", trigger: "cli", actor: "engineer", policy: "csdlqg-level3", now: Timeline.day(10))
        let s2 = try store.record(scan: second, system: "lgsp", results: [Timeline.result([tls10], passed: ["tls.cipher.rc4"])], actor: "engineer", now: Timeline.day(10))
        #expect(s2.fixed == 1 && s2.seenAgain == 1 && s2.new == 0)
        let diff = try store.diff(from: first, to: second)
        #expect(diff.fixed.map(\.ruleID) == ["tls.cipher.rc4"])
        #expect(diff.stillOpen.map(\.ruleID) == ["tls.protocol.tls10"])
        #expect(diff.new.isEmpty)

        // An incomplete scan that saw nothing must not mark TLS 1.0 fixed.
        let third = try store.beginScan(system: "lgsp", trigger: "daemon", actor: "scheduler", policy: "csdlqg-level3", now: Timeline.day(11))
        let s3 = try store.record(scan: third, system: "lgsp", results: [Timeline.result([], passed: [], complete: false)], actor: "scheduler", now: Timeline.day(11))
        #expect(s3.status == .incomplete && s3.fixed == 0)
        #expect(try store.findings(FindingFilter(ruleID: "tls.protocol.tls10")).first?.state == .open)

        // A complete scan that could not judge the rule (inconclusive) does not fix it either.
        let fourth = try store.beginScan(system: "lgsp", trigger: "cli", actor: "engineer", policy: "csdlqg-level3", now: Timeline.day(12))
        #expect(try store.record(scan: fourth, system: "lgsp", results: [Timeline.result([], passed: ["tls.cipher.rc4"])], actor: "engineer", now: Timeline.day(12)).fixed == 0)

        // Someone re-enables RC4: the finding reopens with a new due date.
        let fifth = try store.beginScan(system: "lgsp", trigger: "cli", actor: "engineer", policy: "csdlqg-level3", now: Timeline.day(20))
        let s5 = try store.record(scan: fifth, system: "lgsp", results: [Timeline.result([tls10, rc4], passed: [])], actor: "engineer", now: Timeline.day(20))
        #expect(s5.reopened == 1)
        let reopened = try #require(try store.findings(FindingFilter(ruleID: "tls.cipher.rc4")).first)
        #expect(reopened.state == .reopened)
        #expect(reopened.sightings == 2)
        #expect(reopened.dueAt == Timeline.day(50))
        #expect(try store.events(finding: reopened.id).map(\.kind) == ["finding.opened", "finding.fixed", "finding.reopened"])
        #expect(try store.sightings(finding: reopened.id) == [first, fifth])
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func riskAcceptanceExpiresAndReopens() throws {
        let store = try FindingStore.inMemory()
        let scan = try store.beginScan(system: "tthc", trigger: "cli", actor: "a", policy: "p", now: Timeline.day(0))
        try store.record(scan: scan, system: "tthc", results: [Timeline.result([Timeline.finding("tls.protocol.tls11", "TLSv1.1")], passed: [])], actor: "a", now: Timeline.day(0))
        let finding = try #require(try store.findings().first)
        #expect(throws: SansangError.self) { try store.acceptRisk(finding.id, until: Timeline.day(-1), approver: "GĐ Sở", reason: "legacy client", now: Timeline.day(0)) }
        try store.acceptRisk(finding.id, until: Timeline.day(30), approver: "GĐ Sở", reason: "legacy client until migration", now: Timeline.day(1))
        #expect(try store.findings(FindingFilter(states: [.riskAccepted])).count == 1)
        #expect(try store.expireAcceptances(now: Timeline.day(29)) == 0)
        #expect(try store.expireAcceptances(now: Timeline.day(31)) == 1)
        let after = try #require(try store.finding(String(finding.id)))
        #expect(after.state == .reopened)
        #expect(after.stateReason == "risk acceptance expired")
    }

    @Test func peopleCannotMarkFixedAndFalsePositivesNeedAReason() throws {
        let store = try FindingStore.inMemory()
        let scan = try store.beginScan(system: "sso", trigger: "cli", actor: "a", policy: "p", now: Timeline.day(0))
        try store.record(scan: scan, system: "sso", results: [Timeline.result([Timeline.finding("tls.cert.expired", "abc", .critical)], passed: [])], actor: "a", now: Timeline.day(0))
        let finding = try #require(try store.findings().first)
        #expect(finding.dueAt == Timeline.day(7))
        #expect(throws: SansangError.self) { try store.transition(finding.id, to: .fixed, actor: "x", reason: nil, now: Timeline.day(1)) }
        #expect(throws: SansangError.self) { try store.transition(finding.id, to: .falsePositive, actor: "x", reason: "", now: Timeline.day(1)) }
        #expect(throws: SansangError.self) { try store.transition(finding.id, to: .acknowledged, actor: "", reason: nil, now: Timeline.day(1)) }
        try store.transition(finding.id, to: .acknowledged, actor: "kỹ sư A", reason: "đã nhận", now: Timeline.day(1))
        try store.transition(finding.id, to: .inProgress, actor: "kỹ sư A", reason: nil, now: Timeline.day(2))
        #expect(try store.findings(FindingFilter(overdueAt: Timeline.day(8))).count == 1)
        #expect(try store.findings(FindingFilter(overdueAt: Timeline.day(6))).isEmpty)
        let events = try store.events(finding: finding.id)
        #expect(events.map(\.toState) == ["open", "acknowledged", "in_progress"])
        #expect(events.last?.actor == "kỹ sư A")
        #expect(try store.finding(String(finding.fingerprint.prefix(8)))?.id == finding.id)
    }

    @Test func theEventLogIsAppendOnly() throws {
        let path = Timeline.temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try FindingStore.open(path: path)
        _ = try store.beginScan(system: "lgsp", trigger: "cli", actor: "a", policy: "p", now: Timeline.day(0))
        #expect(throws: SansangError.self) { try store.write("tamper") { db in try db.execute(sql: "UPDATE events SET actor = 'mallory'") } }
        #expect(throws: SansangError.self) { try store.write("tamper") { db in try db.execute(sql: "DELETE FROM events") } }
        #expect(try store.allEvents().map(\.actor) == ["a"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(store.permissionWarning == nil)
    }

    @Test func aScanLeftRunningByADeadProcessIsInterrupted() throws {
        let path = Timeline.temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let scan: Int64
        do {
            let store = try FindingStore.open(path: path)
            scan = try store.beginScan(system: "lgsp", trigger: "cli", actor: "a", policy: "p", now: Timeline.day(0))
            // Pretend another, dead process owned it.
            try store.write("fake owner") { db in try db.execute(sql: "UPDATE scans SET pid = 999999999 WHERE id = ?", arguments: [scan]) }
        }
        let reopened = try FindingStore.open(path: path)
        #expect(try reopened.scan(scan)?.status == .interrupted)
        #expect(throws: SansangError.self) {
            try reopened.record(scan: scan, system: "lgsp", results: [], actor: "a", now: Timeline.day(1))
        }
    }

    @Test func exportAndImportKeepEverything() throws {
        let store = try FindingStore.inMemory()
        let scan = try store.beginScan(system: "lgsp", trigger: "cli", actor: "a", policy: "p", now: Timeline.day(0))
        try store.record(scan: scan, system: "lgsp", results: [Timeline.result([Timeline.finding("tls.cipher.rc4", "x"), Timeline.finding("tls.protocol.tls10", "TLSv1.0")], passed: [])], actor: "a", now: Timeline.day(0))
        try store.transition(1, to: .acknowledged, actor: "b", reason: "ok", now: Timeline.day(1))
        let data = try store.exportJSON()
        let copy = try FindingStore.inMemory()
        try copy.importJSON(data)
        #expect(try copy.findings() == store.findings())
        #expect(try copy.allEvents() == store.allEvents())
        #expect(try copy.scans() == store.scans())
        #expect(throws: SansangError.self) { try copy.importJSON(data) }  // not empty any more
        #expect(throws: SansangError.self) { try FindingStore.inMemory().importJSON(Data("{\"format\": \"other\"}".utf8)) }
    }
}
