public import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SansangCore

/// Runs a short command to completion with a deadline, for tests. Uses posix_spawn and waits on
/// its own pid: Foundation's `Process.waitUntilExit()` can miss an exit when many processes are
/// launched from parallel tests, and a test must never hang.
public enum LabCommand {
    /// Exit status (or -9 when killed at the deadline) and standard output followed by standard error.
    public static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("sansang-cmd-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }
        let child = try ChildProcess(executable: executable, arguments: arguments, stdoutPath: outputPath)
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32?
        while status == nil && Date() < deadline {
            status = child.exitStatus
            if status == nil { usleep(10_000) }
        }
        if status == nil {
            child.stop(grace: 0.2)
            status = -9
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = child.standardError
        child.stop(grace: 0)
        let raw = status ?? -1
        // waitpid's status word: the exit code when the child exited, minus the signal when killed.
        let code: Int32 = raw < 0 ? raw : (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : -(raw & 0x7F)
        return (code, output + errors)
    }
}
