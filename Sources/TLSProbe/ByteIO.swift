import SansangCore

/// Appends big-endian integers and length-prefixed vectors.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { bytes.append(UInt8(value >> 8)); bytes.append(UInt8(value & 0xFF)) }
    mutating func u24(_ value: Int) {
        bytes.append(UInt8((value >> 16) & 0xFF)); bytes.append(UInt8((value >> 8) & 0xFF)); bytes.append(UInt8(value & 0xFF))
    }
    mutating func append(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    /// Writes `body` behind a length prefix of `width` bytes.
    mutating func vector(_ width: Int, _ body: (inout ByteWriter) -> Void) {
        var inner = ByteWriter()
        body(&inner)
        switch width {
        case 1: u8(UInt8(truncatingIfNeeded: inner.bytes.count))
        case 2: u16(UInt16(truncatingIfNeeded: inner.bytes.count))
        default: u24(inner.bytes.count)
        }
        append(inner.bytes)
    }
}

/// Reads big-endian integers from peer bytes; every read is bounds-checked and throws on truncation.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset >= end }

    mutating func u8() throws(SansangError) -> UInt8 {
        guard remaining >= 1 else { throw truncated(1) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(SansangError) -> UInt16 {
        guard remaining >= 2 else { throw truncated(2) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u24() throws(SansangError) -> Int {
        guard remaining >= 3 else { throw truncated(3) }
        defer { offset += 3 }
        return Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
    }

    mutating func take(_ count: Int) throws(SansangError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw truncated(count) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A vector with a length prefix of `width` bytes.
    mutating func vector(_ width: Int) throws(SansangError) -> [UInt8] {
        let length: Int = switch width {
        case 1: Int(try u8())
        case 2: Int(try u16())
        default: try u24()
        }
        return try take(length)
    }

    private func truncated(_ wanted: Int) -> SansangError {
        SansangError(.malformedReply, "message truncated: needed \(wanted) more byte(s) at offset \(offset), \(remaining) left")
    }
}
