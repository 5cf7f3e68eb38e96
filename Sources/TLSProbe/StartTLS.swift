import Foundation
import SansangCore

/// The plaintext dialogues that upgrade a connection to TLS (RFC 3207 SMTP, RFC 2595 IMAP/POP3,
/// RFC 4217 FTP, RFC 4511 LDAP, PostgreSQL SSLRequest). Run on every connection of the TLS probe
/// before the first TLS byte, so the whole audit works on those services too.
enum StartTLS {
    static func negotiate(_ protocolName: String, on connection: TCPConnection, until deadline: ContinuousClock.Instant) throws(SansangError) {
        var reader = LineReader(connection: connection, deadline: deadline)
        switch protocolName {
        case "smtp":
            try reader.expectReply(prefix: "220", what: "SMTP greeting")
            try connection.send(Array("EHLO sansang.invalid\r\n".utf8), until: deadline)
            let capabilities = try reader.expectReply(prefix: "250", what: "EHLO")
            guard capabilities.contains(where: { $0.uppercased().contains("STARTTLS") }) else {
                throw SansangError(.connection, "the SMTP server does not offer STARTTLS (EHLO: \(capabilities.joined(separator: " | ").prefix(160)))")
            }
            try connection.send(Array("STARTTLS\r\n".utf8), until: deadline)
            try reader.expectReply(prefix: "220", what: "STARTTLS")
        case "imap":
            try reader.expectLine(prefix: "* OK", what: "IMAP greeting")
            try connection.send(Array("a001 STARTTLS\r\n".utf8), until: deadline)
            try reader.expectTagged("a001", what: "STARTTLS")
        case "pop3":
            try reader.expectLine(prefix: "+OK", what: "POP3 greeting")
            try connection.send(Array("STLS\r\n".utf8), until: deadline)
            try reader.expectLine(prefix: "+OK", what: "STLS")
        case "ftp":
            try reader.expectReply(prefix: "220", what: "FTP greeting")
            try connection.send(Array("AUTH TLS\r\n".utf8), until: deadline)
            try reader.expectReply(prefix: "234", what: "AUTH TLS")
        case "ldap":
            // ExtendedRequest { requestName 1.3.6.1.4.1.1466.20037 }, message id 1.
            let oid = Array("1.3.6.1.4.1.1466.20037".utf8)
            let request: [UInt8] = [0x30, UInt8(oid.count + 7), 0x02, 0x01, 0x01, 0x77, UInt8(oid.count + 2), 0x80, UInt8(oid.count)] + oid
            try connection.send(request, until: deadline)
            let reply = try reader.readBytes(minimum: 10, maximum: 512)
            // ExtendedResponse (0x78): the first element is the ENUMERATED resultCode (0x0A 0x01 code).
            guard let index = reply.firstIndex(of: 0x78), let code = reply.dropFirst(index).firstRange(of: [0x0A, 0x01]).map({ reply[$0.upperBound] }) else {
                throw SansangError(.malformedReply, "the LDAP server did not answer the StartTLS extended request")
            }
            guard code == 0 else { throw SansangError(.connection, "the LDAP server refused StartTLS (resultCode \(code))") }
        case "postgres":
            try connection.send([0x00, 0x00, 0x00, 0x08, 0x04, 0xD2, 0x16, 0x2F], until: deadline)
            let reply = try reader.readBytes(minimum: 1, maximum: 1)
            guard reply.first == UInt8(ascii: "S") else {
                throw SansangError(.connection, "the PostgreSQL server refused SSL (answered '\(reply.first.map { String(UnicodeScalar($0)) } ?? "")')")
            }
        default:
            throw SansangError(.configuration, "no STARTTLS dialogue for '\(protocolName)'")
        }
    }
}

/// Reads CRLF lines (bounded) from a connection for the STARTTLS dialogues.
struct LineReader {
    let connection: TCPConnection
    let deadline: ContinuousClock.Instant
    private var buffer: [UInt8] = []

    init(connection: TCPConnection, deadline: ContinuousClock.Instant) {
        self.connection = connection
        self.deadline = deadline
    }

    mutating func line() throws(SansangError) -> String {
        var reads = 0
        while reads < 256 {
            if let end = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                buffer.removeFirst(end + 1)
                return line
            }
            guard buffer.count < 8192 else { throw SansangError(.limitExceeded, "a plaintext line of over 8 KiB before STARTTLS") }
            reads += 1
            guard let chunk = try connection.receive(max: 4096, until: deadline) else {
                throw SansangError(.timeout, "no plaintext answer before STARTTLS within the timeout")
            }
            guard !chunk.isEmpty else { throw SansangError(.connection, "the server closed the connection before STARTTLS") }
            buffer += chunk
        }
        throw SansangError(.malformedReply, "the plaintext dialogue before STARTTLS never ended")
    }

    /// A reply with a numeric code, following `code-` continuation lines; returns its lines.
    @discardableResult
    mutating func expectReply(prefix: String, what: String) throws(SansangError) -> [String] {
        var lines: [String] = []
        while lines.count < 64 {
            let text = try line()
            lines.append(text)
            guard text.hasPrefix(prefix) else {
                throw SansangError(.connection, "\(what): expected \(prefix), the server said '\(text.prefix(120))'")
            }
            if text.count <= 3 || text[text.index(text.startIndex, offsetBy: 3)] != "-" { return lines }
        }
        throw SansangError(.malformedReply, "\(what): a reply of over 64 lines")
    }

    mutating func expectLine(prefix: String, what: String) throws(SansangError) {
        let text = try line()
        guard text.hasPrefix(prefix) else { throw SansangError(.connection, "\(what): expected \(prefix), the server said '\(text.prefix(120))'") }
    }

    mutating func expectTagged(_ tag: String, what: String) throws(SansangError) {
        for _ in 0..<64 {
            let text = try line()
            if text.hasPrefix(tag + " ") {
                guard text.uppercased().hasPrefix(tag.uppercased() + " OK") else {
                    throw SansangError(.connection, "\(what): the server said '\(text.prefix(120))'")
                }
                return
            }
        }
        throw SansangError(.malformedReply, "\(what): no tagged answer")
    }

    mutating func readBytes(minimum: Int, maximum: Int) throws(SansangError) -> [UInt8] {
        var reads = 0
        while buffer.count < minimum && reads < 64 {
            reads += 1
            guard let chunk = try connection.receive(max: maximum, until: deadline) else { throw SansangError(.timeout, "no answer before STARTTLS within the timeout") }
            guard !chunk.isEmpty else { throw SansangError(.connection, "the server closed the connection before STARTTLS") }
            buffer += chunk
        }
        defer { buffer.removeAll() }
        return Array(buffer.prefix(maximum))
    }
}
