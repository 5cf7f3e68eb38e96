import Foundation
import Testing
import Daemon
import Store
import SansangCore

/// Real HTTP against a daemon on 127.0.0.1 (port 0) in this process.
@Suite(.serialized) struct DaemonAPITests {
    @Test func theAPIWithEveryRole() async throws {
        let refused = try unusedLoopbackPort()
        let province = try TestProvince(systems: [(id: "lgsp", port: refused, schedule: "0 2 * * *"), (id: "tthc", port: refused, schedule: nil)])
        defer { province.remove() }
        let sink = LogSink()
        let running = try await RunningDaemon.start(configuration(for: province), sink: sink)
        let store = running.daemon.store
        let client = Client(port: running.port)
        var secrets: [APIRole: String] = [:]
        for role in APIRole.allCases {
            secrets[role] = try store.createToken(owner: "người dùng \(role.rawValue)", role: role, by: "test", now: Date()).secret
        }
        let seededScan = try seedFindings(store, system: "lgsp", port: refused)
        let findingID = try #require(try store.findings(FindingFilter(system: "lgsp")).first?.id)

        // Health is public; everything else needs a token.
        #expect(try await client.send("GET", "/healthz").status == 200)
        #expect(try await client.send("GET", "/api/v1/systems").status == 401)
        #expect(try await client.send("GET", "/api/v1/systems", token: "ssg_" + String(repeating: "0", count: 64)).status == 401)
        #expect(try await client.send("GET", "/metrics").status == 401)

        // What each role may and may not do (403 = refused; anything else = let through).
        struct Call { var method: String; var path: String; var json: Any?; var allowed: Set<APIRole> }
        let calls: [Call] = [
            Call(method: "GET", path: "/api/v1/systems", allowed: Set(APIRole.allCases)),
            Call(method: "GET", path: "/api/v1/findings?severity=critical,high&state=open", allowed: Set(APIRole.allCases)),
            Call(method: "GET", path: "/api/v1/systems/lgsp/gate?fail-on=high", allowed: Set(APIRole.allCases)),
            Call(method: "GET", path: "/metrics", allowed: Set(APIRole.allCases)),
            Call(method: "POST", path: "/api/v1/systems/tthc/scans", allowed: [.admin, .engineer, .ci]),
            Call(method: "PATCH", path: "/api/v1/findings/\(findingID)", json: ["state": "acknowledged", "reason": "đã nhận"], allowed: [.admin, .engineer]),
            Call(method: "POST", path: "/api/v1/findings/\(findingID)/accept", json: ["until": "2030-01-31", "reason": "thay trong Q1"], allowed: [.admin, .engineer]),
            Call(method: "POST", path: "/api/v1/attestations", json: ["system": "lgsp", "requirement": "C06-01", "statement": "Hồ sơ cấp độ 3 đã được phê duyệt", "document": "QĐ 123/QĐ-UBND"], allowed: [.admin, .auditor]),
            Call(method: "GET", path: "/api/v1/systems/lgsp/report?format=json", allowed: [.admin, .auditor]),
            Call(method: "POST", path: "/api/v1/reload", allowed: [.admin]),
        ]
        for call in calls {
            for role in APIRole.allCases {
                let reply = try await client.send(call.method, call.path, token: secrets[role], json: call.json)
                if call.allowed.contains(role) {
                    #expect(reply.status != 403 && reply.status != 401, "\(role.rawValue) should be let through \(call.method) \(call.path): \(reply.status) \(reply.text)")
                } else {
                    #expect(reply.status == 403, "\(role.rawValue) should be refused \(call.method) \(call.path): \(reply.status)")
                }
            }
        }

        let admin = try #require(secrets[.admin]), engineer = try #require(secrets[.engineer]), auditor = try #require(secrets[.auditor])
        // Systems with verdicts.
        let systems = try #require(try await client.send("GET", "/api/v1/systems", token: auditor).json() as? [[String: Any]])
        #expect(systems.map { $0["id"] as? String } == ["lgsp", "tthc"])
        #expect(systems.first?["verdict"] as? String == "not_ready")
        #expect(systems.first?["nextScan"] != nil)
        let readiness = try #require(try await client.send("GET", "/api/v1/systems/lgsp/readiness", token: auditor).json() as? [String: Any])
        #expect(readiness["verdictLabel"] as? String == "CHƯA ĐẠT")
        #expect(try await client.send("GET", "/api/v1/systems/nope/readiness", token: auditor).status == 404)

        // Findings: filters, show, state changes written with the token's owner.
        let critical = try #require(try await client.send("GET", "/api/v1/findings?severity=critical", token: engineer).json() as? [[String: Any]])
        #expect(critical.count == 1 && critical.first?["ruleID"] as? String == "tls.cipher.rc4")
        let rc4 = try #require(critical.first?["id"] as? Int)
        let patched = try await client.send("PATCH", "/api/v1/findings/\(rc4)", token: engineer, json: ["state": "in_progress", "reason": "đang cấu hình lại"])
        #expect(patched.status == 200, "\(patched.text)")
        #expect(try await client.send("PATCH", "/api/v1/findings/\(rc4)", token: engineer, json: ["state": "fixed"]).status == 422, "only a scan marks fixed")
        #expect(try await client.send("PATCH", "/api/v1/findings/\(rc4)", token: engineer, json: ["state": "bogus"]).status == 400)
        #expect(try await client.send("PATCH", "/api/v1/findings/99999", token: engineer, json: ["state": "acknowledged"]).status == 404)
        let detail = try #require(try await client.send("GET", "/api/v1/findings/\(rc4)", token: auditor).json() as? [String: Any])
        let events = try #require(detail["events"] as? [[String: Any]])
        #expect(events.contains { $0["actor"] as? String == "người dùng engineer" && $0["toState"] as? String == "in_progress" })

        // Manual trigger → a job → a recorded scan (the port refuses: incomplete, recorded).
        let trigger = try await client.send("POST", "/api/v1/systems/lgsp/scans", token: engineer)
        #expect(trigger.status == 202)
        let job = try #require((try trigger.json() as? [String: Any])?["job"] as? [String: Any])
        let jobID = try #require(job["id"] as? Int)
        let finished = try await eventually(30) {
            let state = (try? await client.send("GET", "/api/v1/jobs/\(jobID)", token: engineer).json() as? [String: Any])?["state"] as? String
            return state == "done"
        }
        #expect(finished, "the triggered scan did not finish")
        let scans = try #require(try await client.send("GET", "/api/v1/scans?system=lgsp", token: auditor).json() as? [[String: Any]])
        let latest = try #require(scans.first?["id"] as? Int)
        #expect(scans.first?["trigger"] as? String == "daemon" && scans.first?["actor"] as? String == "người dùng engineer")
        let diff = try await client.send("GET", "/api/v1/scans/\(seededScan)/diff/\(latest)", token: auditor)
        #expect(diff.status == 200 && diff.text.contains("notRetested"))

        // Attestations and reports in every format.
        let attestations = try #require(try await client.send("GET", "/api/v1/attestations?system=lgsp", token: auditor).json() as? [[String: Any]])
        #expect(attestations.contains { $0["attestedBy"] as? String == "người dùng auditor" })
        for format in ["html", "md", "csv", "json"] {
            let report = try await client.send("GET", "/api/v1/systems/lgsp/report?format=\(format)", token: auditor)
            #expect(report.status == 200 && report.body.count > 200, "\(format): \(report.status)")
            #expect(report.headers["content-disposition"]?.contains("bao-cao-lgsp") == true)
        }
        #expect(try await client.send("GET", "/api/v1/systems/lgsp/report?format=pdf", token: auditor).status == 400)

        // Metrics in the Prometheus text format.
        let metrics = try await client.send("GET", "/metrics", token: admin).text
        #expect(metrics.contains("sansang_scans_total{outcome=\"incomplete\"} ") && !metrics.contains("sansang_scans_total{outcome=\"incomplete\"} 0"))
        #expect(metrics.contains("sansang_open_findings{system=\"lgsp\",severity=\"high\"}"))
        #expect(metrics.contains("sansang_scan_duration_seconds_count ") && !metrics.contains("sansang_scan_duration_seconds_count 0"))
        #expect(metrics.contains("sansang_probe_errors_total{system=\"lgsp\"} "))

        // Reload: a broken inventory is refused and the running one stays.
        try "systems: [".write(toFile: province.inventoryPath, atomically: true, encoding: .utf8)
        #expect(try await client.send("POST", "/api/v1/reload", token: admin).status == 422)
        #expect(running.daemon.state.loaded.inventory.systems.count == 2)
        try province.write(systems: [(id: "lgsp", port: refused, schedule: "*/5 * * * *")])
        #expect(try await client.send("POST", "/api/v1/reload", token: admin).status == 200)
        #expect(running.daemon.state.loaded.inventory.systems.map(\.id) == ["lgsp"])
        #expect(try store.allEvents().contains { $0.kind == "inventory.reloaded" && $0.actor == "người dùng admin" })

        await running.stop()

        // Logs are JSON lines, and no secret ever reached them.
        let lines = sink.captured
        #expect(lines.count > 20)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
            for secret in secrets.values {
                #expect(!line.contains(secret.dropFirst(4).prefix(16)), "a token secret was logged: \(line)")
            }
        }
        #expect(lines.contains { $0.contains("\"owner\":\"người dùng engineer\"") })
    }

    @Test func theDashboard() async throws {
        let refused = try unusedLoopbackPort()
        let province = try TestProvince(systems: [(id: "lgsp", port: refused, schedule: "0 2 * * *")])
        defer { province.remove() }
        let sink = LogSink()
        let running = try await RunningDaemon.start(configuration(for: province), sink: sink)
        defer { Task { await running.stop() } }
        let store = running.daemon.store
        let (_, engineerSecret) = try store.createToken(owner: "Kỹ sư B", role: .engineer, by: "test", now: Date())
        let (_, auditorSecret) = try store.createToken(owner: "Kiểm toán viên C", role: .auditor, by: "test", now: Date())
        _ = try seedFindings(store, system: "lgsp", port: refused)
        let findingID = try #require(try store.findings(FindingFilter(system: "lgsp")).first?.id)
        let client = Client(port: running.port)

        // Not logged in: to the login page.
        let anonymous = try await client.send("GET", "/")
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/login")
        #expect(try await client.send("GET", "/login").text.contains("Đăng nhập"))
        #expect(try await client.send("POST", "/login", form: "token=ssg_bad").status == 401)

        // Log in: a session cookie, HttpOnly, Secure, SameSite=Strict, not the token.
        let login = try await client.send("POST", "/login", form: "token=\(engineerSecret)")
        #expect(login.status == 303)
        let setCookie = try #require(login.headers["set-cookie"])
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("Secure") && setCookie.contains("SameSite=Strict"))
        #expect(!setCookie.contains(engineerSecret.dropFirst(4)))
        let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))

        let home = try await client.send("GET", "/", cookie: cookie)
        #expect(home.status == 200 && home.text.contains("CHƯA ĐẠT") && home.text.contains("lang=\"vi\""))
        #expect(home.headers["content-security-policy"]?.contains("default-src 'none'") == true)
        let system = try await client.send("GET", "/systems/lgsp", cookie: cookie)
        #expect(system.text.contains("Kết luận") && system.text.contains("CHƯA ĐẠT"))
        let list = try await client.send("GET", "/findings?severity=critical", cookie: cookie)
        #expect(list.text.contains("tls.cipher.rc4") && !list.text.contains("tls.protocol.tls10"))

        // Change a finding's state through the form; the CSRF token is required.
        let page = try await client.send("GET", "/findings/\(findingID)", cookie: cookie).text
        let csrf = try #require(page.range(of: "name=\"csrf\" value=\"").map { String(page[$0.upperBound...].prefix(64)) })
        #expect(try await client.send("POST", "/findings/\(findingID)/state", cookie: cookie, form: "state=acknowledged&reason=x&csrf=wrong").status == 403)
        let changed = try await client.send("POST", "/findings/\(findingID)/state", cookie: cookie, form: "state=acknowledged&reason=%C4%91%C3%A3+nh%E1%BA%ADn&csrf=\(csrf)")
        #expect(changed.status == 303)
        #expect(try store.finding(String(findingID))?.state == .acknowledged)
        let history = try await client.send("GET", "/findings/\(findingID)", cookie: cookie).text
        #expect(history.contains("Kỹ sư B") && history.contains("Đã tiếp nhận") && history.contains("đã nhận"))

        // Engineers may not download reports; auditors may, in every format.
        #expect(try await client.send("GET", "/systems/lgsp/report?format=html", cookie: cookie).status == 403)
        let auditorLogin = try await client.send("POST", "/login", form: "token=\(auditorSecret)")
        let auditorCookie = try #require(auditorLogin.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let report = try await client.send("GET", "/systems/lgsp/report?format=html", cookie: auditorCookie)
        #expect(report.status == 200 && report.text.contains("BÁO CÁO"))
        #expect(try await client.send("POST", "/findings/\(findingID)/state", cookie: auditorCookie, form: "state=in_progress&csrf=x").status == 403)
    }
}
