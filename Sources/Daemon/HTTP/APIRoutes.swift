import Foundation
import Hummingbird
import SansangCore
import Store
import Reporting

extension ReportRenderer.Format {
    init(query: String?) throws {
        guard let format = ReportRenderer.Format(rawValue: query ?? "html") else {
            throw HTTPError(.badRequest, message: "format must be one of html, md, csv, json")
        }
        self = format
    }
}

/// The JSON API under /api/v1 (described in docs/openapi.yaml). Every state-changing call is
/// written to the event log with the calling token's owner as the actor.
struct APIRoutes {
    let backend: Backend

    var store: FindingStore { backend.store }

    struct StateChange: Decodable { var state: String; var reason: String? }
    struct Acceptance: Decodable { var until: String; var reason: String }
    struct NewAttestation: Decodable {
        var system: String, requirement: String, statement: String
        var document: String?, link: String?, expires: String?, notApplicable: Bool?
    }
    struct FindingDetail: Encodable { var finding: StoredFinding; var events: [FindingEvent]; var sightings: [Int64] }
    struct Triggered: Encodable { var job: ScanJob; var created: Bool }
    struct Gate: Encodable { var system: String; var failOn: String; var pass: Bool; var verdict: String; var blocking: [StoredFinding] }

    func register(on router: Router<DaemonRequestContext>) {
        let api = router.group("api/v1")

        api.get("systems") { request, context -> Response in
            _ = try context.require(.read)
            return try JSONBody.response(try backend.summaries(language: Self.language(request)))
        }
        api.get("systems/:id/readiness") { request, context -> Response in
            _ = try context.require(.read)
            let id = try context.parameters.require("id")
            _ = try backend.system(id)
            return try JSONBody.response(ReadinessJSON(try backend.readiness(id), language: Self.language(request)))
        }
        api.get("systems/:id/gate") { request, context -> Response in
            _ = try context.require(.read)
            let id = try context.parameters.require("id")
            _ = try backend.system(id)
            let threshold = try request.uri.queryParameters.get("fail-on").map { text -> Severity in
                guard let severity = Severity(rawValue: text) else { throw HTTPError(.badRequest, message: "fail-on must be a severity") }
                return severity
            } ?? .high
            let blocking = try store.findings(FindingFilter(system: id, states: [.open, .acknowledged, .inProgress, .reopened])).filter { $0.severity >= threshold }
            let verdict = try backend.readiness(id).verdict
            return try JSONBody.response(Gate(system: id, failOn: threshold.rawValue, pass: blocking.isEmpty, verdict: verdict.rawValue, blocking: blocking))
        }
        api.post("systems/:id/scans") { _, context -> Response in
            let caller = try context.require(.triggerScan)
            let id = try context.parameters.require("id")
            _ = try backend.system(id)
            let (job, created) = try store.enqueueManualScan(system: id, requestedBy: caller.owner, now: Date())
            return try JSONBody.response(Triggered(job: job, created: created), status: .accepted)
        }
        api.get("systems/:id/report") { request, context -> Response in
            _ = try context.require(.reports)
            let id = try context.parameters.require("id")
            let format = try ReportRenderer.Format(query: request.uri.queryParameters.get("format"))
            let (data, type, name) = try backend.report(system: id, format: format, language: Self.language(request))
            return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        api.get("scans") { request, context -> Response in
            _ = try context.require(.read)
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 100
            return try JSONBody.response(try store.scans(system: request.uri.queryParameters.get("system"), limit: min(max(limit, 1), 1000)))
        }
        api.get("scans/:id") { _, context -> Response in
            _ = try context.require(.read)
            let id = try context.parameters.require("id", as: Int64.self)
            guard let scan = try store.scan(id) else { throw NotFound("no scan \(id)") }
            return try JSONBody.response(scan)
        }
        api.get("scans/:id/diff/:to") { _, context -> Response in
            _ = try context.require(.read)
            let from = try context.parameters.require("id", as: Int64.self)
            let to = try context.parameters.require("to", as: Int64.self)
            guard try store.scan(from) != nil, try store.scan(to) != nil else { throw NotFound("no scan \(from) or \(to)") }
            return try JSONBody.response(try store.diff(from: from, to: to))
        }
        api.get("jobs") { request, context -> Response in
            _ = try context.require(.read)
            let state = try request.uri.queryParameters.get("state").map { text -> JobState in
                guard let state = JobState(rawValue: text) else { throw HTTPError(.badRequest, message: "unknown job state '\(text)'") }
                return state
            }
            return try JSONBody.response(try store.jobs(state: state, limit: 200))
        }
        api.get("jobs/:id") { _, context -> Response in
            _ = try context.require(.read)
            let id = try context.parameters.require("id", as: Int64.self)
            guard let job = try store.job(id) else { throw NotFound("no job \(id)") }
            return try JSONBody.response(job)
        }

        api.get("findings") { request, context -> Response in
            _ = try context.require(.read)
            return try JSONBody.response(try store.findings(try Self.filter(request.uri.queryParameters)))
        }
        api.get("findings/:id") { _, context -> Response in
            _ = try context.require(.read)
            let id = try context.parameters.require("id")
            guard let finding = try store.finding(id) else { throw NotFound("no finding \(id)") }
            return try JSONBody.response(FindingDetail(finding: finding, events: try store.events(finding: finding.id), sightings: try store.sightings(finding: finding.id)))
        }
        api.patch("findings/:id") { request, context -> Response in
            let caller = try context.require(.changeFindings)
            let id = try context.parameters.require("id", as: Int64.self)
            let change = try await JSONBody.decode(StateChange.self, from: request)
            guard let state = FindingState(rawValue: change.state) else {
                throw HTTPError(.badRequest, message: "state must be one of \(FindingState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard try store.finding(String(id)) != nil else { throw NotFound("no finding \(id)") }
            try store.transition(id, to: state, actor: caller.owner, reason: change.reason, now: Date())
            return try JSONBody.response(try store.finding(String(id)))
        }
        api.post("findings/:id/accept") { request, context -> Response in
            let caller = try context.require(.changeFindings)
            let id = try context.parameters.require("id", as: Int64.self)
            let acceptance = try await JSONBody.decode(Acceptance.self, from: request)
            guard let until = DayParser.endOfDay(acceptance.until) else { throw HTTPError(.badRequest, message: "until must be YYYY-MM-DD or DD/MM/YYYY") }
            guard try store.finding(String(id)) != nil else { throw NotFound("no finding \(id)") }
            try store.acceptRisk(id, until: until, approver: caller.owner, reason: acceptance.reason, now: Date())
            return try JSONBody.response(try store.finding(String(id)))
        }

        api.get("attestations") { request, context -> Response in
            _ = try context.require(.read)
            return try JSONBody.response(try store.attestations(system: request.uri.queryParameters.get("system")))
        }
        api.post("attestations") { request, context -> Response in
            let caller = try context.require(.attest)
            let body = try await JSONBody.decode(NewAttestation.self, from: request)
            _ = try backend.system(body.system)
            guard backend.state.loaded.profile.requirements.contains(where: { $0.id == body.requirement }) else {
                throw HTTPError(.unprocessableContent, message: "requirement '\(body.requirement)' is not in the profile")
            }
            let expires = try body.expires.map { text -> Date in
                guard let date = DayParser.endOfDay(text) else { throw HTTPError(.badRequest, message: "expires must be YYYY-MM-DD or DD/MM/YYYY") }
                return date
            }
            let id = try store.attest(
                system: body.system, requirement: body.requirement, kind: body.notApplicable == true ? "not-applicable" : "control",
                statement: body.statement, document: body.document, file: nil, sha256: nil, link: body.link, by: caller.owner, expiresAt: expires, now: Date()
            )
            return try JSONBody.response(["id": id], status: .created)
        }

        api.post("reload") { _, context -> Response in
            let caller = try context.require(.administer)
            let loaded = try backend.reload(actor: caller.owner)
            return try JSONBody.response(["systems": loaded.inventory.systems.map(\.id)])
        }
        api.get("whoami") { _, context -> Response in
            guard let identity = context.identity else { throw HTTPError(.unauthorized, message: "a token is required") }
            return try JSONBody.response(["owner": identity.owner, "role": identity.role.rawValue])
        }
    }

    static func language(_ request: Request) -> Language {
        request.uri.queryParameters.get("lang") == "en" ? .en : .vi
    }

    /// `system`, `severity` and `state` (comma-separated lists), `overdue` (true), `rule`, `limit`.
    static func filter(_ query: Parameters) throws -> FindingFilter {
        var filter = FindingFilter()
        filter.system = query.get("system").flatMap { $0.isEmpty ? nil : $0 }
        if let text = query.get("severity"), !text.isEmpty {
            filter.severities = Set(try text.split(separator: ",").map { item -> Severity in
                guard let severity = Severity(rawValue: String(item)) else { throw HTTPError(.badRequest, message: "unknown severity '\(item)'") }
                return severity
            })
        }
        if let text = query.get("state"), !text.isEmpty {
            filter.states = Set(try text.split(separator: ",").map { item -> FindingState in
                guard let state = FindingState(rawValue: String(item)) else { throw HTTPError(.badRequest, message: "unknown state '\(item)'") }
                return state
            })
        }
        if query.get("overdue") == "true" { filter.overdueAt = Date() }
        filter.ruleID = query.get("rule").flatMap { $0.isEmpty ? nil : $0 }
        filter.limit = min(max(query.get("limit", as: Int.self) ?? 500, 1), 5000)
        return filter
    }
}

/// `YYYY-MM-DD` or `DD/MM/YYYY` as the end of that day in Asia/Ho_Chi_Minh.
enum DayParser {
    static func endOfDay(_ text: String) -> Date? {
        for format in ["yyyy-MM-dd", "dd/MM/yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = CronSchedule.defaultTimeZone
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date.addingTimeInterval(86399) }
        }
        return nil
    }
}
