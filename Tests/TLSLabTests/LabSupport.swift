import Foundation
import TLSLab
#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the TLSLab tests: a lab PKI built once, openssl runs with a time limit,
/// a blocking loopback client.
enum Lab {
    /// Building the PKI generates eleven keys, so the tests share one.
    static let pki: Result<LabPKI, any Error> = Result {
        removeLeftovers()
        return try LabPKI(directory: temporaryDirectory("pki"))
    }

    /// Swift Testing has no hook after the last test, so each run removes the directories of runs that have ended.
    static func removeLeftovers() {
        let temporary = FileManager.default.temporaryDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix("sansang-lab-tests-") {
            guard let pid = Int32(name.dropFirst("sansang-lab-tests-".count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
    }

    static func temporaryDirectory(_ name: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("sansang-lab-tests-\(getpid())")
            .appendingPathComponent(name)
    }

    /// Runs /usr/bin/openssl with stdin closed; kills it after `timeout` seconds.
    static func openssl(_ arguments: [String], timeout: TimeInterval = 10) throws -> (status: Int32, output: String) {
        try LabCommand.run("/usr/bin/openssl", arguments, timeout: timeout)
    }

    /// Connects to 127.0.0.1:port, sends `bytes`, and reads until EOF, `maximum` bytes, `timeout`,
    /// or `complete` says the reply is whole.
    static func exchange(
        port: Int, send bytes: [UInt8], maximum: Int = 65_536, timeout: TimeInterval = 3,
        complete: ([UInt8]) -> Bool = { _ in false }
    ) -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var wait = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return [] }
        if !bytes.isEmpty {
            guard (bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { return [] }
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let deadline = Date().addingTimeInterval(timeout)
        while received.count < maximum, Date() < deadline, !complete(received) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer.prefix(count)
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                break
            }
        }
        return received
    }
}

/// Reply-complete tests for `Lab.exchange`.
enum Reply {
    /// The flight ends with ServerHelloDone (an empty handshake message of type 14).
    static func serverHelloDone(_ bytes: [UInt8]) -> Bool { bytes.suffix(4) == [14, 0, 0, 0] }

    /// One whole SSLv2 record with a 2-byte header.
    static func sslv2Record(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes.count >= 2 + (Int(bytes[0] & 0x7F) << 8 | Int(bytes[1]))
    }
}

/// Builds ClientHellos byte by byte, as a scanner would.
enum Hello {
    static func u16(_ value: Int) -> [UInt8] { [UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }

    static func tls(version: Int, recordVersion: Int? = nil, suites: [Int], compression: [UInt8] = [0], extensions: [UInt8] = []) -> [UInt8] {
        var body = u16(version) + [UInt8](repeating: 0xAB, count: 32) + [0]
        body += u16(suites.count * 2) + suites.flatMap { u16($0) }
        body += [UInt8(compression.count)] + compression
        if !extensions.isEmpty { body += u16(extensions.count) + extensions }
        let handshake = [1, 0] + u16(body.count) + body
        return [22] + u16(recordVersion ?? version) + u16(handshake.count) + handshake
    }

    static func sslv2(version: Int = 0x0002, kinds: [UInt32]) -> [UInt8] {
        let specs = kinds.flatMap { [UInt8(($0 >> 16) & 0xFF), UInt8(($0 >> 8) & 0xFF), UInt8($0 & 0xFF)] }
        let challenge = [UInt8](repeating: 0x5A, count: 16)
        let body: [UInt8] = [1] + u16(version) + u16(specs.count) + u16(0) + u16(challenge.count) + specs + challenge
        return [0x80 | UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }
}
