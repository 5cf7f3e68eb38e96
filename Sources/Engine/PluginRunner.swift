public import Foundation
public import SansangCore
#if canImport(Glibc)
import Glibc
#endif

/// An external plugin: an executable, and the name its facts and findings go under.
public struct PluginSpec: Sendable, Hashable {
    public var name: String
    public var path: String

    public init(name: String? = nil, path: String) {
        self.path = path
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        self.name = name ?? String(base.lowercased().map { allowed.contains($0) ? $0 : "-" })
    }

    /// Executable regular files directly in a directory (`Checks/plugins/`), sorted.
    public static func discover(in directory: String) -> [PluginSpec] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.sorted().prefix(256).compactMap { name in
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            var info = stat()
            guard !name.hasPrefix("."), stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(path, X_OK) == 0 else { return nil }
            return PluginSpec(path: path)
        }
    }
}

/// Runs external plugins on each endpoint. The plugin gets `{"endpoint": …, "settings": …}` on
/// stdin and answers JSON lines on stdout: `{"fact": {…}}` (merged into `plugin.<name>`) or
/// `{"finding": {"id", "severity", "title": {vi, en}, "subject", "evidence", "remediation": {vi, en}}}`.
/// Each run is bounded by a timeout (SIGTERM to the plugin's process group, SIGKILL a second
/// later) and an output size; a crash, a hang, a non-zero exit or a line that is not such JSON
/// is recorded as the plugin's error (judged by `plugin.error`) and the scan goes on.
/// Opens no connection itself; what the plugin does is its own business.
public struct PluginProbe: Probe {
    public static let id = "plugin"

    public let plugins: [PluginSpec]
    public let settings: JSONValue
    public let timeout: Duration
    public let maxOutputBytes: Int

    public init(plugins: [PluginSpec], settings: JSONValue = .null, timeout: Duration = .seconds(30), maxOutputBytes: Int = 1 << 20) {
        self.plugins = plugins
        self.settings = settings
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
    }

    public func gather(_ endpoint: Endpoint, _ context: ProbeContext, into facts: inout FactSet) async {
        var results: [String: PluginResult] = [:]
        let input = Self.input(endpoint: endpoint, settings: settings, timeout: timeout)
        for plugin in plugins {
            let run = await PluginProcess.run(path: plugin.path, input: input, timeout: timeout, maxOutputBytes: maxOutputBytes)
            results[plugin.name] = Self.interpret(run, path: plugin.path)
        }
        facts.record(ProbeAttempt<PluginFacts>.completed(PluginFacts(results: results)))
    }

    static func input(endpoint: Endpoint, settings: JSONValue, timeout: Duration) -> Data {
        let object: JSONValue = .object([
            "endpoint": .object([
                "host": .string(endpoint.host), "port": .number(Double(endpoint.port)), "scheme": .string(endpoint.scheme),
                "path": .string(endpoint.path), "target": .string(endpoint.description),
            ]),
            "settings": settings,
            "sansang": .object(["version": .string(SansangVersion.current), "timeoutSeconds": .number(Double(timeout.components.seconds))]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = (try? encoder.encode(object)) ?? Data("{}".utf8)
        data.append(0x0A)
        return data
    }

    /// Turns what the process did and printed into the plugin's result.
    static func interpret(_ run: PluginProcess.Outcome, path: String) -> PluginResult {
        var result = PluginResult(path: path, exitStatus: run.exitStatus, durationMilliseconds: run.durationMilliseconds)
        var problems: [String] = []
        if let failure = run.failure { problems.append(failure) }
        let text = String(decoding: run.stdout, as: UTF8.self)
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(trimmed.utf8)), case .object(let object) = value else {
                problems.append("stdout line \(lineNumber) is not a JSON object: \"\(trimmed.prefix(80))\"")
                break
            }
            if case .object(let fact)? = object["fact"] {
                result.facts.merge(fact) { _, new in new }
            } else if let finding = object["finding"] {
                do {
                    let data = try JSONEncoder().encode(finding)
                    let decoded = try JSONDecoder().decode(PluginFinding.self, from: data)
                    let idCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
                    guard !decoded.id.isEmpty, decoded.id.allSatisfy({ idCharacters.contains($0) }) else {
                        problems.append("stdout line \(lineNumber): finding id '\(decoded.id.prefix(60))' may use only a-z, 0-9, '.', '-', '_'")
                        continue
                    }
                    result.findings.append(decoded)
                } catch {
                    problems.append("stdout line \(lineNumber): a finding needs id, severity (info…critical) and title {vi, en}")
                }
            } else {
                problems.append("stdout line \(lineNumber): expected {\"fact\": {…}} or {\"finding\": {…}}")
            }
            if problems.count >= 5 { break }
        }
        if !problems.isEmpty {
            let stderr = String(decoding: run.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            result.error = problems.joined(separator: "; ") + (stderr.isEmpty ? "" : "; stderr: \(stderr.prefix(300))")
        }
        return result
    }
}

/// Spawns one plugin in its own process group, feeds stdin, reads stdout/stderr with poll()
/// within the deadline and the size cap, and reaps it. Runs on its own thread, never on the
/// cooperative pool.
enum PluginProcess {
    struct Outcome: Sendable {
        var stdout = Data()
        var stderr = Data()
        var exitStatus: Int?
        /// Why the run counts as failed: timeout, signal, exit status, output limit, spawn error.
        var failure: String?
        var durationMilliseconds = 0
    }

    private static let spawnLock = NSLock()
    static let maxStderrBytes = 8 << 10

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because
    /// the Glibc module does not export it.
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    static let closeFromAction: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    static func run(path: String, input: Data, timeout: Duration, maxOutputBytes: Int) async -> Outcome {
        // A thread of its own, not a GCD worker: when the blocking probes of a busy scan hold
        // every worker, a plugin's deadline must still be kept (runs are sequential per endpoint).
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: runBlocking(path: path, input: input, timeout: timeout, maxOutputBytes: maxOutputBytes))
            }
            thread.name = "sansang.plugin"
            thread.start()
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
    }

    static func now() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int(spec.tv_sec) * 1000 + Int(spec.tv_nsec) / 1_000_000
    }

    static func runBlocking(path: String, input: Data, timeout: Duration, maxOutputBytes: Int) -> Outcome {
        var outcome = Outcome()
        let started = now()
        defer { outcome.durationMilliseconds = now() - started }
        guard access(path, X_OK) == 0 else {
            outcome.failure = "cannot run \(path): \(String(cString: strerror(errno)))"
            return outcome
        }
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        var pid: pid_t = 0
        // pipe2(O_CLOEXEC) is not visible to Swift: create and mark the pipes under a lock that
        // also covers the spawn, so two plugins started at once do not inherit each other's pipes.
        spawnLock.lock()
        let pipes = [pipe(&stdinPipe), pipe(&stdoutPipe), pipe(&stderrPipe)]
        guard pipes.allSatisfy({ $0 == 0 }) else {
            spawnLock.unlock()
            (stdinPipe + stdoutPipe + stderrPipe).filter { $0 >= 0 }.forEach { _ = close($0) }
            outcome.failure = "pipe() failed"
            return outcome
        }
        for fd in stdinPipe + stdoutPipe + stderrPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        // Nothing else crosses into the plugin: not the store's database, not sockets, not a file
        // some other thread has open without O_CLOEXEC.
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)  // its own group, so a timeout stops its children too
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        let environment = ["PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")", "LANG=C.UTF-8", "SANSANG_PLUGIN=1"]
        var spawned: Int32 = 0
        // ETXTBSY: the script is still open for writing somewhere (just deployed, or a write fd a
        // concurrent fork inherited for an instant); retry briefly, as Go's os/exec does.
        for attempt in 0..<5 {
            spawned = withCStrings([path]) { argv in
                withCStrings(environment) { envp in posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
            }
            guard spawned == ETXTBSY, attempt < 4 else { break }
            usleep(20_000 << attempt)
        }
        spawnLock.unlock()
        close(stdinPipe[0]); close(stdoutPipe[1]); close(stderrPipe[1])
        guard spawned == 0 else {
            close(stdinPipe[1]); close(stdoutPipe[0]); close(stderrPipe[0])
            outcome.failure = "cannot start \(path): \(String(cString: strerror(spawned)))"
            return outcome
        }
        for fd in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        let deadline = started + milliseconds(timeout)
        var inputFD = stdinPipe[1]
        var outFD = stdoutPipe[0], errFD = stderrPipe[0]
        var written = 0
        var exited = false
        var status: Int32 = 0
        var exitedAt = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        signal(SIGPIPE, SIG_IGN)  // a plugin that does not read its stdin must not kill sansang
        loop: while outFD >= 0 || errFD >= 0 || inputFD >= 0 {
            let current = now()
            if current >= deadline {
                outcome.failure = "no answer within \(milliseconds(timeout) / 1000) s (timeout); stopped"
                break
            }
            if !exited, waitpid(pid, &status, WNOHANG) == pid { exited = true; exitedAt = current }
            // Children that keep stdout open after the plugin exits get a short grace, then are stopped.
            if exited, current - exitedAt > 500 { break }
            var fds: [pollfd] = []
            if inputFD >= 0 { fds.append(pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0)) }
            if outFD >= 0 { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
            if errFD >= 0 { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
            let wait = Int32(max(1, min(100, deadline - current)))
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 && errno != EINTR { outcome.failure = "poll() failed"; break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == inputFD {
                    let count = input.withUnsafeBytes { raw in
                        write(inputFD, raw.baseAddress.map { $0 + written }, input.count - written)
                    }
                    if count > 0 { written += count }
                    if count < 0 && errno != EAGAIN || written >= input.count {
                        close(inputFD)
                        inputFD = -1
                    }
                    continue
                }
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == outFD {
                        outcome.stdout.append(contentsOf: buffer[0..<count])
                        if outcome.stdout.count > maxOutputBytes {
                            outcome.failure = "printed more than \(maxOutputBytes) bytes; stopped"
                            outcome.stdout = outcome.stdout.prefix(maxOutputBytes)
                            break loop
                        }
                    } else if outcome.stderr.count < maxStderrBytes {
                        outcome.stderr.append(contentsOf: buffer[0..<min(count, maxStderrBytes - outcome.stderr.count)])
                    }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    if entry.fd == outFD { close(outFD); outFD = -1 } else { close(errFD); errFD = -1 }
                }
            }
        }
        for fd in [inputFD, outFD, errFD] where fd >= 0 { close(fd) }
        if !exited, waitpid(pid, &status, WNOHANG) == pid { exited = true }
        if !exited {
            kill(-pid, SIGTERM)
            let graceEnd = now() + 1000
            while now() < graceEnd {
                if waitpid(pid, &status, WNOHANG) == pid { exited = true; break }
                usleep(20_000)
            }
            if !exited {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
            }
        } else {
            kill(-pid, SIGKILL)  // children left behind in the plugin's group
        }
        // WIFEXITED / WIFSIGNALED, written out (the macros are not visible to Swift).
        let signalNumber = status & 0x7f
        if signalNumber == 0 {
            let code = Int((status >> 8) & 0xff)
            outcome.exitStatus = code
            if code != 0 && outcome.failure == nil { outcome.failure = "exited with status \(code)" }
        } else if outcome.failure == nil {
            outcome.failure = "crashed (killed by signal \(signalNumber))"
        }
        return outcome
    }

    /// Calls `body` with a NULL-terminated C array of the strings.
    static func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
