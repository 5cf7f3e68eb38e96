import Testing
@testable import PortProbe
import SansangCore

@Suite struct SSHWireTests {
    static let packet = SSHWire.kexinitPacket(
        kex: ["curve25519-sha256", "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1"],
        hostKeys: ["ssh-rsa", "rsa-sha2-512", "ssh-ed25519"],
        ciphers: ["aes128-ctr", "aes256-cbc", "3des-cbc"],
        macs: ["hmac-sha2-256", "hmac-sha1", "hmac-md5"]
    )

    @Test func parsesAKexinit() throws {
        guard case .complete(let facts, let consumed) = SSHWire.kexinit(Self.packet) else {
            Issue.record("not parsed")
            return
        }
        #expect(consumed == Self.packet.count)
        #expect(facts.kexAlgorithms == ["curve25519-sha256", "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1"])
        #expect(facts.hostKeyAlgorithms.contains("ssh-rsa"))
        #expect(facts.ciphers == ["aes128-ctr", "aes256-cbc", "3des-cbc"])
        #expect(facts.macs == ["hmac-sha2-256", "hmac-sha1", "hmac-md5"])
        #expect(facts.compression == ["none"])
    }

    @Test func everyTruncatedPrefixAsksForMore() {
        for length in 0..<Self.packet.count {
            switch SSHWire.kexinit(Array(Self.packet.prefix(length))) {
            case .needMore: continue
            case .complete: Issue.record("a \(length)-byte prefix parsed as complete")
            case .invalid(let why): Issue.record("a \(length)-byte prefix was called invalid: \(why)")
            }
        }
    }

    @Test func trailingBytesAreLeftForTheCaller() {
        guard case .complete(_, let consumed) = SSHWire.kexinit(Self.packet + [1, 2, 3]) else {
            Issue.record("not parsed")
            return
        }
        #expect(consumed == Self.packet.count)
    }

    @Test func garbageIsInvalidNeverACrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<300, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = SSHWire.kexinit(bytes)
            _ = SSHWire.identification(bytes)
        }
        // Mutate every byte of a real packet in turn.
        for index in Self.packet.indices {
            var bytes = Self.packet
            bytes[index] ^= 0xFF
            _ = SSHWire.kexinit(bytes)
        }
    }

    @Test(arguments: [
        [0xFF, 0xFF, 0xFF, 0xFF, 0x04] as [UInt8],  // absurd length
        [0x00, 0x00, 0x00, 0x01, 0x00] as [UInt8],  // too short
        [0x00, 0x00, 0x00, 0x08, 0x08, 0x14, 0, 0, 0, 0, 0, 0, 0] as [UInt8],  // padding larger than the packet
        [0x00, 0x00, 0x00, 0x0C, 0x04, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] as [UInt8],  // message 21, not KEXINIT
    ])
    func malformedPacketsAreInvalid(_ bytes: [UInt8]) {
        guard case .invalid = SSHWire.kexinit(bytes) else {
            Issue.record("accepted \(bytes)")
            return
        }
    }

    @Test func nameListLongerThanThePacketIsInvalid() {
        var payload: [UInt8] = [20] + [UInt8](repeating: 0, count: 16) + SSHWire.be32(5000) + Array("x".utf8)
        payload += [UInt8](repeating: 0, count: 4)
        let packet = SSHWire.be32(payload.count + 5) + [4] + payload + [0, 0, 0, 0]
        guard case .invalid(let why) = SSHWire.kexinit(packet) else {
            Issue.record("accepted")
            return
        }
        #expect(why.contains("name-list 1"))
    }

    @Test func identificationLines() {
        guard case .complete(let line, let consumed) = SSHWire.identification(Array("Welcome\r\nSSH-2.0-OpenSSH_7.4 Debian\r\n\u{0}\u{0}".utf8)) else {
            Issue.record("no line")
            return
        }
        #expect(line == "SSH-2.0-OpenSSH_7.4 Debian")
        #expect(consumed == 37)
        #expect(SSHWire.split(identification: line)?.protocolVersion == "2.0")
        #expect(SSHWire.split(identification: line)?.software == "OpenSSH_7.4")
        #expect(SSHWire.split(identification: "SSH-1.99-Cisco-1.25")?.protocolVersion == "1.99")
        #expect(SSHWire.split(identification: "HTTP/1.1 200 OK") == nil)
        if case .needMore = SSHWire.identification(Array("SSH-2.0-Open".utf8)) {} else { Issue.record("partial line") }
        if case .invalid = SSHWire.identification([UInt8](repeating: 0x41, count: 400)) {} else { Issue.record("endless line") }
    }
}
