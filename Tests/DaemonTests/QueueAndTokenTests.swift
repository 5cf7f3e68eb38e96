import Foundation
import Testing
import Daemon
import Store
import SansangCore

@Suite struct TokenTests {
    @Test func aTokenIsShownOnceAndStoredHashed() throws {
        let store = try FindingStore.inMemory()
        let now = Date()
        let (token, secret) = try store.createToken(owner: "Kiểm toán viên A", role: .auditor, by: "admin", now: now)
        #expect(TokenSecret.isWellFormed(secret))
        #expect(secret.hasPrefix("ssg_") && secret.count == 68)
        #expect(try store.authenticate(secret: secret)?.id == token.id)
        let altered = String(secret.dropLast()) + (secret.hasSuffix("0") ? "1" : "0")
        #expect(try store.authenticate(secret: altered) == nil)
        #expect(try store.authenticate(secret: "ssg_" + String(repeating: "a", count: 64)) == nil)
        #expect(try store.authenticate(secret: "not a token") == nil)
        // The secret is nowhere in the store: not in tokens, not in the event log.
        let events = try store.allEvents()
        #expect(!events.contains { ($0.reason ?? "").contains(secret.dropFirst(4)) })
        #expect(events.contains { $0.kind == "token.created" && $0.actor == "admin" })
        try store.revokeToken(token.id, by: "admin", now: now)
        #expect(try store.authenticate(secret: secret) == nil)
        #expect(throws: SansangError.self) { try store.revokeToken(token.id, by: "admin", now: now) }
    }

    @Test func twoTokensNeverCollide() throws {
        let secrets = Set((0..<200).map { _ in TokenSecret.generate() })
        #expect(secrets.count == 200)
    }

    @Test func constantTimeComparison() {
        #expect(TokenSecret.constantTimeEquals("abc", "abc"))
        #expect(!TokenSecret.constantTimeEquals("abc", "abd"))
        #expect(!TokenSecret.constantTimeEquals("abc", "abcd"))
    }

    @Test func theRoleMatrix() {
        #expect(APIRole.admin.permissions == Set(Permission.allCases))
        #expect(APIRole.engineer.permissions == [.read, .triggerScan, .changeFindings])
        #expect(APIRole.auditor.permissions == [.read, .reports, .attest])
        #expect(APIRole.ci.permissions == [.read, .triggerScan])
    }
}

@Suite struct JobQueueTests {
    @Test func aCronFireIsQueuedOnce() throws {
        let store = try FindingStore.inMemory()
        let due = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(try store.enqueueScheduledScan(system: "lgsp", dueAt: due, now: due) != nil)
        #expect(try store.enqueueScheduledScan(system: "lgsp", dueAt: due, now: due.addingTimeInterval(5)) == nil)
        #expect(try store.enqueueScheduledScan(system: "tthc", dueAt: due, now: due) != nil)
        #expect(try store.dueJobs(now: due).count == 2)
        #expect(try store.lastScheduledFire(system: "lgsp") == due)
    }

    @Test func aManualTriggerDoesNotPileUp() throws {
        let store = try FindingStore.inMemory()
        let now = Date()
        let first = try store.enqueueManualScan(system: "lgsp", requestedBy: "Kỹ sư A", now: now)
        let second = try store.enqueueManualScan(system: "lgsp", requestedBy: "Kỹ sư B", now: now.addingTimeInterval(1))
        #expect(first.created && !second.created && first.job.id == second.job.id)
        #expect(try store.allEvents().contains { $0.kind == "scan.requested" && $0.actor == "Kỹ sư A" })
    }

    @Test func recoveryRequeuesTheSameRowUntilAttemptsRunOut() throws {
        let store = try FindingStore.inMemory()
        let now = Date()
        let job = try #require(try store.enqueueScheduledScan(system: "lgsp", dueAt: now, now: now))
        #expect(try store.startJob(job.id, deadline: now.addingTimeInterval(60), now: now))
        #expect(try !store.startJob(job.id, deadline: now.addingTimeInterval(60), now: now), "a running job is not started twice")
        let scan = try store.beginScan(system: "lgsp", trigger: "daemon", actor: "scheduler", policy: "p", now: now)
        try store.attachScan(scan, toJob: job.id)
        // The daemon dies here. On restart:
        let first = try store.recoverJobs(maxAttempts: 2, now: now)
        #expect(first.requeued == [job.id] && first.interrupted.isEmpty)
        #expect(try store.scan(scan)?.status == .interrupted)
        #expect(try store.jobs().count == 1)
        #expect(try store.startJob(job.id, deadline: now.addingTimeInterval(60), now: now))
        let second = try store.recoverJobs(maxAttempts: 2, now: now)
        #expect(second.interrupted == [job.id])
        #expect(try store.job(job.id)?.state == .interrupted)
        #expect(try store.job(job.id)?.attempts == 2)
    }
}
