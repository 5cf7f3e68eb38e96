import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Daemon
import Store
import SansangCore
#if canImport(Glibc)
import Glibc
#endif

/// The repository root (for Checks/ and Reports/).
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A loopback port nothing listens on (bound, read, released): scans of it end at once, refused.
func unusedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SansangError(.io, "socket() failed") }
    defer { close(fd) }
    return try bindLoopback(fd)
}

func bindLoopback(_ fd: Int32) throws -> Int {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw SansangError(.io, "bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A listener that never accepts: the kernel completes the handshake and the client waits for
/// bytes that never come (a scan of it runs until its timeouts).
final class SilentServer {
    let fd: Int32
    let port: Int
    init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        port = try bindLoopback(fd)
        guard listen(fd, 64) == 0 else { throw SansangError(.io, "listen() failed") }
    }
    func stop() { close(fd) }
}

/// A temporary inventory whose systems point at loopback ports.
struct TestProvince {
    let directory: URL
    var inventoryPath: String { directory.appendingPathComponent("province.yaml").path }
    var storePath: String { directory.appendingPathComponent("sansang.db").path }

    init(systems: [(id: String, port: Int, schedule: String?)]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write(systems: systems)
    }

    func write(systems: [(id: String, port: Int, schedule: String?)]) throws {
        var text = """
            version: 1
            organization: {name: Sở Khoa học và Công nghệ, parent: UBND tỉnh Thử, abbreviation: SKHCN, place: Thử, draftingUnit: TTCNTT}
            authorization: {number: 01/QĐ-SKHCN, date: 2026-11-01, scope: Rà soát thử nghiệm, validUntil: 2030-10-31}
            scope: {cidrs: [127.0.0.0/8]}
            store: sansang.db
            systems:

            """
        for system in systems {
            text += "  - id: \(system.id)\n    name: Hệ thống \(system.id.uppercased())\n    kind: lgsp\n    owner: Trung tâm CNTT\n    level: 3\n"
            text += "    endpoints: [\"127.0.0.1:\(system.port)\"]\n    checks: [tls]\n"
            if let schedule = system.schedule { text += "    schedule: \"\(schedule)\"\n" }
        }
        try text.write(toFile: inventoryPath, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Findings recorded the way a scan records them, to have something to change and report.
func seedFindings(_ store: FindingStore, system: String, port: Int) throws -> Int64 {
    let endpoint = Endpoint(host: "127.0.0.1", port: port)
    func finding(_ rule: String, _ severity: Severity) -> Finding {
        Finding(
            rule: RuleMeta(id: rule, severity: severity, title: Localized(vi: "Phát hiện \(rule)", en: rule), remediation: Localized(vi: "Sửa cấu hình", en: "fix"), requirements: ["A06-02"], probe: "tls"),
            draft: FindingDraft(subject: rule, evidence: "thấy \(rule)"), endpoint: endpoint
        )
    }
    var facts = FactSet()
    facts.record(ProbeAttempt<TLSFacts>.completed(TLSFacts()))
    let now = Date()
    let result = EndpointResult(endpoint: endpoint, facts: facts, findings: [finding("tls.protocol.tls10", .high), finding("tls.cipher.rc4", .critical)], inconclusive: [], passed: [], startedAt: now, finishedAt: now)
    let scan = try store.beginScan(system: system, trigger: "cli", actor: "Kỹ sư", policy: "csdlqg-level3", now: now)
    try store.record(scan: scan, system: system, results: [result], actor: "Kỹ sư", now: now)
    return scan
}

/// A minimal HTTP client over URLSession (no redirects followed, no cookies stored).
final class Client: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let base: String
    lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    init(port: Int) { base = "http://127.0.0.1:\(port)" }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    struct Reply {
        var status: Int
        var body: Data
        var headers: [String: String]
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: body) }
    }

    func send(_ method: String, _ path: String, token: String? = nil, cookie: String? = nil, json: Any? = nil, form: String? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let form {
            request.httpBody = Data(form.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
        return Reply(status: http.statusCode, body: data, headers: headers)
    }
}

/// A daemon started in this process on 127.0.0.1, port 0.
final class RunningDaemon: @unchecked Sendable {
    let daemon: Daemon
    let port: Int
    let task: Task<Void, any Error>

    static func start(_ configuration: DaemonConfiguration, sink: LogSink) async throws -> RunningDaemon {
        let daemon = try Daemon(configuration: configuration, logSink: sink)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await daemon.run(handleSignals: false) { port in continuation.yield(port) } }
        var port = 0
        for await bound in stream { port = bound; break }
        return RunningDaemon(daemon: daemon, port: port, task: task)
    }

    init(daemon: Daemon, port: Int, task: Task<Void, any Error>) {
        self.daemon = daemon
        self.port = port
        self.task = task
    }

    func stop() async {
        await daemon.shutdown()
        _ = await task.result
    }
}

func configuration(for province: TestProvince) -> DaemonConfiguration {
    var configuration = DaemonConfiguration(inventoryPath: province.inventoryPath)
    configuration.port = 0
    configuration.profile = repository.appendingPathComponent("Checks/profiles/csdlqg-dc.yaml").path
    configuration.reportsDirectory = repository.appendingPathComponent("Reports").path
    configuration.tick = .milliseconds(100)
    configuration.gracePeriod = .seconds(2)
    configuration.probeContext = ProbeContext(connectionTimeout: .seconds(2), endpointTimeout: .seconds(10))
    return configuration
}

/// Polls `condition` every 100 ms until it holds or `seconds` pass.
func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
