public import SansangCore

/// Reads big-endian values from peer bytes; every read checks the bounds first.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func u8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}

/// The SSH identification exchange and KEXINIT (RFC 4253 §4.2 and §7.1), parsed from untrusted bytes.
public enum SSHWire {
    /// What we send first: our identification line.
    public static let clientIdentification = Array("SSH-2.0-sansang_0.1\r\n".utf8)
    /// RFC 4253 §6.1: implementations must accept packets of 35000 bytes; we refuse anything longer.
    public static let maxPacket = 35_000
    static let maxLine = 255

    public enum Parse<T: Sendable>: Sendable {
        case complete(T, consumed: Int)
        case needMore
        case invalid(String)
    }

    /// Finds the server's identification line (`SSH-…`), skipping the other lines a server may send first.
    public static func identification(_ bytes: [UInt8]) -> Parse<String> {
        var start = 0
        var lines = 0
        while start < bytes.count && lines < 32 {
            lines += 1
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                if bytes.count - start > maxLine { return .invalid("a line of more than \(maxLine) bytes without an end") }
                return .needMore
            }
            var end = newline
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            let line = bytes[start..<end]
            if line.count > maxLine { return .invalid("a line of more than \(maxLine) bytes") }
            if line.starts(with: Array("SSH-".utf8)) {
                return .complete(String(decoding: line, as: UTF8.self), consumed: newline + 1)
            }
            start = newline + 1
        }
        return start >= bytes.count ? .needMore : .invalid("no SSH identification line among the first 32 lines")
    }

    /// Splits `SSH-protoversion-softwareversion SP comments`.
    public static func split(identification line: String) -> (protocolVersion: String, software: String)? {
        let parts = line.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "SSH", !parts[1].isEmpty else { return nil }
        let software = parts[2].split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        return (String(parts[1]), software)
    }

    /// Parses one binary packet holding SSH_MSG_KEXINIT (20) from the start of `bytes`.
    public static func kexinit(_ bytes: [UInt8]) -> Parse<SSHFacts> {
        var reader = ByteReader(bytes)
        guard let length = reader.u32() else { return .needMore }
        guard length >= 2, Int(length) <= maxPacket else { return .invalid("packet length \(length) is outside 2…\(maxPacket)") }
        guard let padding = reader.u8() else { return .needMore }
        guard Int(padding) < Int(length) - 1 else { return .invalid("padding \(padding) does not fit a packet of \(length) bytes") }
        let payloadLength = Int(length) - Int(padding) - 1
        guard let payload = reader.take(payloadLength) else { return .needMore }
        guard reader.take(Int(padding)) != nil else { return .needMore }
        var body = ByteReader(Array(payload))
        guard let message = body.u8() else { return .invalid("empty payload") }
        guard message == 20 else { return .invalid("expected SSH_MSG_KEXINIT (20), got message \(message)") }
        guard body.take(16) != nil else { return .invalid("KEXINIT shorter than its cookie") }
        var lists: [[String]] = []
        for index in 0..<10 {
            guard let count = body.u32() else { return .invalid("KEXINIT ends before name-list \(index + 1) of 10") }
            guard let raw = body.take(Int(count)) else { return .invalid("name-list \(index + 1) claims \(count) bytes; only \(body.remaining) left") }
            guard raw.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .invalid("name-list \(index + 1) holds bytes that are not printable ASCII") }
            lists.append(raw.isEmpty ? [] : String(decoding: raw, as: UTF8.self).split(separator: ",").map(String.init))
        }
        guard body.u8() != nil, body.u32() != nil else { return .invalid("KEXINIT ends before first_kex_packet_follows and its reserved field") }
        func merged(_ a: [String], _ b: [String]) -> [String] {
            var out = a
            for name in b where !out.contains(name) { out.append(name) }
            return out
        }
        let facts = SSHFacts(
            versionString: "", protocolVersion: "", software: "", kexAlgorithms: lists[0], hostKeyAlgorithms: lists[1],
            ciphers: merged(lists[2], lists[3]), macs: merged(lists[4], lists[5]), compression: merged(lists[6], lists[7])
        )
        return .complete(facts, consumed: reader.offset)
    }

    /// Builds a KEXINIT packet (for tests and fake servers).
    public static func kexinitPacket(kex: [String], hostKeys: [String], ciphers: [String], macs: [String], compression: [String] = ["none"]) -> [UInt8] {
        var payload: [UInt8] = [20] + [UInt8](repeating: 0x5A, count: 16)
        for list in [kex, hostKeys, ciphers, ciphers, macs, macs, compression, compression, [], []] {
            let text = Array(list.joined(separator: ",").utf8)
            payload += be32(text.count) + text
        }
        payload += [0] + be32(0)
        var padding = 8 - (payload.count + 5) % 8
        if padding < 4 { padding += 8 }
        return be32(payload.count + padding + 1) + [UInt8(padding)] + payload + [UInt8](repeating: 0, count: padding)
    }

    static func be32(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
