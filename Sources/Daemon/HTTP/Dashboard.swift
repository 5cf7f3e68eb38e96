import Foundation
import Hummingbird
import SansangCore
import Store
import Reporting

/// Server-rendered pages for auditors (Vietnamese; no JavaScript): systems and their verdicts,
/// a system's readiness, open findings with filters, a finding's history with a state-change
/// form, scans and their diffs, report downloads. Login with a token → a session cookie
/// (HttpOnly, SameSite=Strict, Secure) holding a random session id, never the token.
struct Dashboard {
    static let cookieName = "sansang_session"
    let backend: Backend
    let authenticator: Authenticator
    let secureCookies: Bool

    var store: FindingStore { backend.store }

    func register(on router: Router<DaemonRequestContext>) {
        router.get("/") { _, context -> Response in
            guard context.identity != nil else { return Self.redirect("/login") }
            return try page("Hệ thống", context: context, body: try systemsBody())
        }
        router.get("login") { _, _ -> Response in
            Self.html(Self.layout(title: "Đăng nhập", user: nil, body: Self.loginForm(error: nil)))
        }
        router.post("login") { request, _ -> Response in
            let form = Self.form(try await JSONBody.bytes(request))
            guard let (session, _) = authenticator.login(secret: form["token"] ?? "") else {
                return Self.html(Self.layout(title: "Đăng nhập", user: nil, body: Self.loginForm(error: "Mã truy cập không hợp lệ hoặc đã bị thu hồi.")), status: .unauthorized)
            }
            var response = Self.redirect("/")
            let secure = secureCookies ? "; Secure" : ""
            response.headers[.setCookie] = "\(Self.cookieName)=\(session.id); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(authenticator.sessionLifetime))\(secure)"
            return response
        }
        router.post("logout") { request, context -> Response in
            if let session = context.session {
                let form = Self.form(try await JSONBody.bytes(request))
                if form["csrf"] == session.csrf { authenticator.logout(session.id) }
            }
            var response = Self.redirect("/login")
            response.headers[.setCookie] = "\(Self.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
            return response
        }
        router.get("systems/:id") { request, context -> Response in
            guard context.identity != nil else { return Self.redirect("/login") }
            let id = try context.parameters.require("id")
            return try page("Hệ thống \(id)", context: context, body: try systemBody(id, context: context))
        }
        router.get("systems/:id/report") { request, context -> Response in
            guard context.identity != nil else { return Self.redirect("/login") }
            _ = try context.require(.reports)
            let id = try context.parameters.require("id")
            let format = try ReportRenderer.Format(query: request.uri.queryParameters.get("format"))
            let (data, type, name) = try backend.report(system: id, format: format, language: .vi)
            return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("findings") { request, context -> Response in
            guard context.identity != nil else { return Self.redirect("/login") }
            let query = request.uri.queryParameters
            var filter = try APIRoutes.filter(query)
            if query.get("state") == nil { filter.states = [.open, .acknowledged, .inProgress, .reopened] }
            return try page("Phát hiện", context: context, body: try findingsBody(filter: filter, query: query))
        }
        router.get("findings/:id") { _, context -> Response in
            guard context.identity != nil else { return Self.redirect("/login") }
            let id = try context.parameters.require("id")
            return try page("Phát hiện #\(id)", context: context, body: try findingBody(id, context: context))
        }
        router.post("findings/:id/state") { request, context -> Response in
            guard let session = context.session else { return Self.redirect("/login") }
            let caller = try context.require(.changeFindings)
            let id = try context.parameters.require("id", as: Int64.self)
            let form = Self.form(try await JSONBody.bytes(request))
            guard let csrf = form["csrf"], TokenSecret.constantTimeEquals(csrf, session.csrf) else {
                throw HTTPError(.forbidden, message: "the form is stale (CSRF check failed); reload the page")
            }
            guard let state = FindingState(rawValue: form["state"] ?? "") else { throw HTTPError(.badRequest, message: "unknown state") }
            let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                if state == .riskAccepted {
                    guard let until = DayParser.endOfDay(form["until"] ?? "") else { throw HTTPError(.badRequest, message: "chấp nhận rủi ro cần ngày hết hạn") }
                    try store.acceptRisk(id, until: until, approver: caller.owner, reason: reason, now: Date())
                } else {
                    try store.transition(id, to: state, actor: caller.owner, reason: reason.isEmpty ? nil : reason, now: Date())
                }
            } catch let error as SansangError {
                return try page("Phát hiện #\(id)", context: context, body: "<p class=\"error\">\(Self.escape(error.reason))</p>" + (try findingBody(String(id), context: context)), status: .unprocessableContent)
            }
            return Self.redirect("/findings/\(id)")
        }
        router.get("scans") { request, context -> Response in
            guard context.identity != nil else { return Self.redirect("/login") }
            return try page("Lượt quét", context: context, body: try scansBody(system: request.uri.queryParameters.get("system")))
        }
        router.get("scans/:from/diff/:to") { _, context -> Response in
            guard context.identity != nil else { return Self.redirect("/login") }
            let from = try context.parameters.require("from", as: Int64.self)
            let to = try context.parameters.require("to", as: Int64.self)
            return try page("So sánh \(from) → \(to)", context: context, body: try diffBody(from: from, to: to))
        }
    }

    // MARK: pages

    func page(_ title: String, context: DaemonRequestContext, body: String, status: HTTPResponse.Status = .ok) throws -> Response {
        let user = context.identity.map { identity in
            "\(Self.escape(identity.owner)) (\(identity.role.rawValue))" + (context.session.map { " <form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"\($0.csrf)\"><button>Đăng xuất</button></form>" } ?? "")
        }
        return Self.html(Self.layout(title: title, user: user, body: body), status: status)
    }

    func systemsBody() throws -> String {
        var rows = ""
        for system in try backend.summaries(language: .vi) {
            rows += "<tr><td><a href=\"/systems/\(Self.escape(system.id))\">\(Self.escape(system.id))</a></td><td>\(Self.escape(system.name))</td><td>\(Self.escape(system.kind))</td>"
            rows += "<td>\(Self.verdictBadge(system.verdict, label: system.verdictLabel))</td><td>\(system.openFindings)</td>"
            rows += "<td>\(system.lastScan.map { "#\($0.id) \(Self.date($0.startedAt)) (\(Self.scanStatus($0.status)))" } ?? "—")</td>"
            rows += "<td>\(Self.escape(system.schedule ?? "—"))\(system.nextScan.map { "<br><small>lần tới: \(Self.date($0))</small>" } ?? "")</td></tr>"
        }
        return """
            <h1>Các hệ thống và kết luận mức sẵn sàng</h1>
            <table><thead><tr><th>Mã</th><th>Tên hệ thống</th><th>Loại</th><th>Kết luận</th><th>Phát hiện còn mở</th><th>Lượt quét gần nhất</th><th>Lịch quét</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <p><a href="/findings">Tất cả phát hiện còn mở</a> · <a href="/scans">Các lượt quét</a></p>
            """
    }

    func systemBody(_ id: String, context: DaemonRequestContext) throws -> String {
        let system = try backend.system(id)
        let result = try backend.readiness(id)
        var html = "<h1>\(Self.escape(system.name)) <small>(\(Self.escape(system.id)))</small></h1>"
        html += "<p class=\"verdict\">Kết luận: \(Self.verdictBadge(result.verdict.rawValue, label: result.verdict.label(.vi)))</p>"
        html += "<ul>" + result.reasons.map { "<li>\(Self.escape($0.text(.vi)))</li>" }.joined() + "</ul>"
        html += "<p>Đơn vị quản lý: \(Self.escape(system.owner)) · Điểm cuối: \(system.endpoints.map { Self.escape($0.description) }.joined(separator: ", "))</p>"
        let counts = RequirementStatus.allCases.map { "\($0.label(.vi)): \(result.count($0))" }.joined(separator: " · ")
        html += "<h2>Yêu cầu (\(counts))</h2><table><thead><tr><th>Mã</th><th>Yêu cầu</th><th>Mức độ</th><th>Trạng thái</th><th>Lý do</th></tr></thead><tbody>"
        for item in result.requirements where item.status != .met {
            html += "<tr><td>\(Self.escape(item.requirement.id))</td><td>\(Self.escape(item.requirement.title.text(.vi)))</td><td>\(item.requirement.severity.label(.vi))</td>"
            html += "<td class=\"status-\(item.status.rawValue)\">\(item.status.label(.vi))</td><td>\(Self.escape(item.reason.text(.vi)))</td></tr>"
        }
        html += "</tbody></table>"
        html += "<p><a href=\"/findings?system=\(Self.query(id))\">Phát hiện còn mở của hệ thống</a> · <a href=\"/scans?system=\(Self.query(id))\">Các lượt quét</a></p>"
        if context.identity?.role.may(.reports) == true {
            html += "<h2>Tải báo cáo</h2><p class=\"downloads\">" + ReportRenderer.Format.allCases.map {
                "<a href=\"/systems/\(Self.query(id))/report?format=\($0.rawValue)\" download>\($0.rawValue.uppercased())</a>"
            }.joined(separator: " · ") + "</p>"
        }
        return html
    }

    func findingsBody(filter: FindingFilter, query: Parameters) throws -> String {
        let findings = try store.findings(filter)
        func option(_ value: String, _ label: String, selected: String?) -> String {
            "<option value=\"\(value)\"\(selected == value ? " selected" : "")>\(label)</option>"
        }
        let systems = backend.state.loaded.inventory.systems
        var html = "<h1>Phát hiện</h1><form method=\"get\" action=\"/findings\" class=\"filters\">"
        html += "<label>Hệ thống <select name=\"system\">\(option("", "Tất cả", selected: query.get("system")))" + systems.map { option($0.id, Self.escape($0.id), selected: query.get("system")) }.joined() + "</select></label> "
        html += "<label>Mức độ <select name=\"severity\">\(option("", "Tất cả", selected: query.get("severity")))" + Severity.allCases.reversed().map { option($0.rawValue, $0.label(.vi), selected: query.get("severity")) }.joined() + "</select></label> "
        html += "<label>Trạng thái <select name=\"state\">\(option("", "Còn mở", selected: query.get("state")))" + FindingState.allCases.map { option($0.rawValue, $0.label(.vi), selected: query.get("state")) }.joined() + "</select></label> "
        html += "<label><input type=\"checkbox\" name=\"overdue\" value=\"true\"\(query.get("overdue") == "true" ? " checked" : "")> Quá hạn</label> <button>Lọc</button></form>"
        html += "<p>\(findings.count) phát hiện</p><table><thead><tr><th>#</th><th>Mức độ</th><th>Hệ thống</th><th>Điểm cuối</th><th>Phát hiện</th><th>Trạng thái</th><th>Hạn xử lý</th></tr></thead><tbody>"
        let now = Date()
        for finding in findings {
            html += "<tr class=\"sev-\(finding.severity.rawValue)\"><td><a href=\"/findings/\(finding.id)\">\(finding.id)</a></td><td>\(finding.severity.label(.vi))</td><td>\(Self.escape(finding.systemID))</td>"
            html += "<td>\(Self.escape(finding.endpoint))</td><td><a href=\"/findings/\(finding.id)\">\(Self.escape(finding.title.text(.vi)))</a><br><small>\(Self.escape(finding.ruleID))</small></td>"
            html += "<td>\(finding.state.label(.vi))</td><td\(finding.isOverdue(at: now) ? " class=\"overdue\"" : "")>\(finding.dueAt.map(Self.day) ?? "—")</td></tr>"
        }
        return html + "</tbody></table>"
    }

    func findingBody(_ reference: String, context: DaemonRequestContext) throws -> String {
        guard let finding = try store.finding(reference) else { throw NotFound("no finding \(reference)") }
        var html = "<h1>Phát hiện #\(finding.id): \(Self.escape(finding.title.text(.vi)))</h1>"
        html += "<dl><dt>Trạng thái</dt><dd class=\"state\">\(finding.state.label(.vi))</dd><dt>Mức độ</dt><dd>\(finding.severity.label(.vi))</dd>"
        html += "<dt>Hệ thống</dt><dd><a href=\"/systems/\(Self.query(finding.systemID))\">\(Self.escape(finding.systemID))</a></dd><dt>Điểm cuối</dt><dd>\(Self.escape(finding.endpoint))</dd>"
        html += "<dt>Quy tắc</dt><dd>\(Self.escape(finding.ruleID))</dd><dt>Hạn xử lý</dt><dd>\(finding.dueAt.map(Self.day) ?? "—")</dd>"
        html += "<dt>Bằng chứng</dt><dd><pre>\(Self.escape(finding.evidence))</pre></dd><dt>Khắc phục</dt><dd>\(Self.escape(finding.remediation.text(.vi)))</dd></dl>"
        if let session = context.session, context.identity?.role.may(.changeFindings) == true {
            let choices: [FindingState] = [.acknowledged, .inProgress, .falsePositive, .riskAccepted]
            html += "<h2>Đổi trạng thái</h2><form method=\"post\" action=\"/findings/\(finding.id)/state\" class=\"change\">"
            html += "<input type=\"hidden\" name=\"csrf\" value=\"\(session.csrf)\">"
            html += "<label>Trạng thái mới <select name=\"state\" id=\"state\">" + choices.map { "<option value=\"\($0.rawValue)\">\($0.label(.vi))</option>" }.joined() + "</select></label> "
            html += "<label>Lý do <input name=\"reason\" id=\"reason\" size=\"40\"></label> <label>Chấp nhận đến (YYYY-MM-DD) <input name=\"until\" size=\"12\"></label> "
            html += "<button type=\"submit\" id=\"change-state\">Cập nhật</button></form>"
        }
        html += "<h2>Lịch sử</h2><table><thead><tr><th>Thời điểm</th><th>Người thực hiện</th><th>Sự kiện</th><th>Từ</th><th>Sang</th><th>Lý do</th></tr></thead><tbody>"
        for event in try store.events(finding: finding.id) {
            let from = event.fromState.flatMap(FindingState.init(rawValue:))?.label(.vi) ?? event.fromState ?? ""
            let to = event.toState.flatMap(FindingState.init(rawValue:))?.label(.vi) ?? event.toState ?? ""
            html += "<tr><td>\(Self.date(event.at))</td><td>\(Self.escape(event.actor))</td><td>\(Self.escape(event.kind))</td><td>\(Self.escape(from))</td><td>\(Self.escape(to))</td><td>\(Self.escape(event.reason ?? ""))</td></tr>"
        }
        html += "</tbody></table><p>Các lượt quét đã thấy: " + (try store.sightings(finding: finding.id)).map { "#\($0)" }.joined(separator: ", ") + "</p>"
        return html
    }

    func scansBody(system: String?) throws -> String {
        let scans = try store.scans(system: system, limit: 200)
        var html = "<h1>Các lượt quét\(system.map { " — \(Self.escape($0))" } ?? "")</h1><table><thead><tr><th>#</th><th>Hệ thống</th><th>Bắt đầu</th><th>Kết thúc</th><th>Kết quả</th><th>Phát hiện</th><th>Nguồn</th><th>So với lượt trước</th></tr></thead><tbody>"
        for (index, scan) in scans.enumerated() {
            let previous = scans[(index + 1)...].first { $0.systemID == scan.systemID && ($0.status == .complete || $0.status == .incomplete) }
            let diff = previous.map { "<a href=\"/scans/\($0.id)/diff/\(scan.id)\">#\($0.id) → #\(scan.id)</a>" } ?? "—"
            html += "<tr><td>\(scan.id)</td><td>\(Self.escape(scan.systemID))</td><td>\(Self.date(scan.startedAt))</td><td>\(scan.finishedAt.map(Self.date) ?? "—")</td>"
            html += "<td>\(Self.scanStatus(scan.status))</td><td>\(scan.findingCount)</td><td>\(Self.escape(scan.trigger)) / \(Self.escape(scan.actor))</td><td>\(scan.status == .interrupted ? "—" : diff)</td></tr>"
        }
        return html + "</tbody></table>"
    }

    func diffBody(from: Int64, to: Int64) throws -> String {
        guard try store.scan(from) != nil, try store.scan(to) != nil else { throw NotFound("no scan \(from) or \(to)") }
        let diff = try store.diff(from: from, to: to)
        func section(_ title: String, _ findings: [StoredFinding]) -> String {
            "<h2>\(title) (\(findings.count))</h2><ul>" + findings.map { "<li><a href=\"/findings/\($0.id)\">#\($0.id)</a> [\($0.severity.label(.vi))] \(Self.escape($0.title.text(.vi))) — \(Self.escape($0.endpoint))</li>" }.joined() + "</ul>"
        }
        return "<h1>So sánh lượt quét #\(from) → #\(to)</h1>" + section("Đã khắc phục", diff.fixed) + section("Mới phát hiện", diff.new) + section("Vẫn còn", diff.stillOpen) + section("Chưa kiểm tra lại", diff.notRetested)
    }

    // MARK: helpers

    static func loginForm(error: String?) -> String {
        (error.map { "<p class=\"error\">\(escape($0))</p>" } ?? "") + """
            <h1>Đăng nhập</h1>
            <form method="post" action="/login" class="login">
            <label>Mã truy cập (API token) <input type="password" name="token" id="token" autocomplete="off" size="72" required></label>
            <button type="submit" id="login">Đăng nhập</button></form>
            <p><small>Mã truy cập do quản trị viên tạo bằng <code>sansang token create</code>.</small></p>
            """
    }

    static func layout(title: String, user: String?, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="vi"><head><meta charset="utf-8"><title>\(escape(title)) — sansang</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font-family:"Noto Sans","DejaVu Sans",sans-serif;margin:0;color:#1b1b1b;background:#f6f6f4}
        header{background:#8b1a1a;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:center}
        header a{color:#fff;text-decoration:none;font-weight:600}header .user{margin-left:auto}
        main{padding:1em 1.5em}table{border-collapse:collapse;width:100%;background:#fff}
        th,td{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}th{background:#eee}
        .verdict-ready{background:#1d7a36;color:#fff}.verdict-conditional{background:#c98a00;color:#fff}.verdict-not_ready{background:#b3261e;color:#fff}
        .badge{padding:.15em .5em;border-radius:3px;font-weight:700}.overdue{color:#b3261e;font-weight:700}.error{color:#b3261e;font-weight:700}
        .inline{display:inline}pre{white-space:pre-wrap;max-width:70em}dt{font-weight:700}
        </style></head>
        <body><header><a href="/">sansang</a><a href="/">Hệ thống</a><a href="/findings">Phát hiện</a><a href="/scans">Lượt quét</a>
        <span class="user">\(user ?? "")</span></header><main>\(body)</main></body></html>
        """
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff", .init("Referrer-Policy")!: "no-referrer", .cacheControl: "no-store",
        ], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func verdictBadge(_ verdict: String, label: String) -> String {
        "<span class=\"badge verdict-\(escape(verdict))\">\(escape(label))</span>"
    }

    static func scanStatus(_ status: ScanStatus) -> String {
        switch status {
        case .running: "đang quét"
        case .complete: "hoàn tất"
        case .incomplete: "chưa đầy đủ"
        case .interrupted: "bị gián đoạn"
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func query(_ text: String) -> String {
        escape(text.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+/?#"))) ?? text)
    }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "dd/MM/yyyy HH:mm"
        formatter.timeZone = CronSchedule.defaultTimeZone
        return formatter.string(from: date)
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "dd/MM/yyyy"
        formatter.timeZone = CronSchedule.defaultTimeZone
        return formatter.string(from: date)
    }

    /// An `application/x-www-form-urlencoded` body.
    static func form(_ data: Data) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let key = parts.first else { continue }
            out[decode(key)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }
}
