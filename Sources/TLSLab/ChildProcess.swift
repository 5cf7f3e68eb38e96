public import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SansangCore

/// A child process started with posix_spawn and stopped by its pid, never by name.
///
/// Standard input and output go to /dev/null, standard error to a file that `stop()` removes.
/// Signal mask and dispositions are reset in the child, so a parent that blocks or ignores
/// SIGTERM (as the lab runner does to catch it) still has children that die on SIGTERM.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let stderrPath: String
    private let lock = NSLock()
    private var status: Int32?
    private var logRemoved = false

    /// Starts `executable`; standard output goes to `stdoutPath` when given, else /dev/null.
    public init(executable: String, arguments: [String], stdoutPath: String? = nil) throws {
        let pattern = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-lab-XXXXXX.log").path
        var template = Array(pattern.utf8CString)
        let logFD = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemps(base, 4)
        }
        guard logFD >= 0 else { throw SansangError(.io, "mkstemps: \(LabSocket.errnoText())") }
        close(logFD)
        stderrPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            unlink(stderrPath)
            throw SansangError(.io, "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    deinit { stop() }

    /// The exit status once the child has exited (reaping it), nil while it runs.
    public var exitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return reapLocked(blocking: false)
    }

    public var isRunning: Bool { exitStatus == nil }

    public var standardError: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; returns once the child is reaped.
    public func stop(grace: TimeInterval = 1.0) {
        lock.lock()
        defer { lock.unlock() }
        if reapLocked(blocking: false) == nil {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while reapLocked(blocking: false) == nil, Date() < deadline {
                usleep(20_000)
            }
            if reapLocked(blocking: false) == nil {
                kill(pid, SIGKILL)
                _ = reapLocked(blocking: true)
            }
        }
        if !logRemoved {
            unlink(stderrPath)
            logRemoved = true
        }
    }

    private func reapLocked(blocking: Bool) -> Int32? {
        if let status { return status }
        var raw: Int32 = 0
        while true {
            let result = waitpid(pid, &raw, blocking ? 0 : WNOHANG)
            if result == pid {
                status = raw
                return raw
            }
            if result < 0, errno == EINTR { continue }
            if result < 0 {
                status = -1  // not our child any more (reaped elsewhere); never signal this pid again
                return status
            }
            return nil
        }
    }
}
