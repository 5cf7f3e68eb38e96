import Foundation
import SansangCore

/// What a banner or a probe reply says about the service.
struct Identification: Sendable, Hashable {
    var service: String
    var product: String?
    var version: String?
    var startTLS: Bool?
    var tls: Bool?

    init(_ service: String, product: String? = nil, version: String? = nil, startTLS: Bool? = nil, tls: Bool? = nil) {
        self.service = service
        self.product = product
        self.version = version
        self.startTLS = startTLS
        self.tls = tls
    }
}

/// Pure classifiers of what services send, and the light probes we send them. Peer bytes never crash these.
enum ServiceWire {
    // MARK: banners (the server speaks first)

    /// Printable text of a banner: Telnet option negotiation removed, control bytes as `\xNN`, at most 200 characters.
    static func printable(_ bytes: [UInt8], limit: Int = 200) -> String {
        var out = ""
        var index = 0
        var count = 0
        while index < bytes.count && count < limit {
            let byte = bytes[index]
            if byte == 0xFF, index + 1 < bytes.count, (0xFB...0xFE).contains(bytes[index + 1]) {
                index += 3  // IAC WILL/WONT/DO/DONT option
                continue
            }
            if byte == 0xFF, index + 1 < bytes.count, bytes[index + 1] == 0xFA {  // IAC SB … IAC SE
                var end = index + 2
                while end + 1 < bytes.count && !(bytes[end] == 0xFF && bytes[end + 1] == 0xF0) { end += 1 }
                index = end + 2
                continue
            }
            switch byte {
            case 0x20...0x7E: out.append(Character(UnicodeScalar(byte)))
            case 0x0D: out.append("\\r")
            case 0x0A: out.append("\\n")
            default: out.append("\\x" + String(byte, radix: 16).leftPad(2))
            }
            count += 1
            index += 1
        }
        if index < bytes.count { out.append("…") }
        return out
    }

    /// Classifies the first bytes a service sent without being asked.
    static func classify(banner bytes: [UInt8]) -> Identification? {
        guard !bytes.isEmpty else { return nil }
        if bytes[0] == 0xFF, bytes.count >= 2, (0xFA...0xFE).contains(bytes[1]) { return Identification("telnet") }
        if let mysql = mysqlGreeting(bytes) { return mysql }
        let text = String(decoding: bytes.prefix(1024), as: UTF8.self)
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        if text.hasPrefix("SSH-") {
            let software = SSHWire.split(identification: firstLine)?.software ?? ""
            let (product, version) = splitSoftware(software)
            return Identification("ssh", product: product, version: version)
        }
        if text.hasPrefix("RFB ") { return Identification("vnc", version: String(firstLine.dropFirst(4))) }
        if text.hasPrefix("@RSYNCD:") { return Identification("rsync", version: firstLine.dropFirst(8).trimmingCharacters(in: .whitespaces)) }
        if text.hasPrefix("+OK") { return Identification("pop3", product: known(in: firstLine)) }
        if text.hasPrefix("* OK") || text.hasPrefix("* PREAUTH") { return Identification("imap", product: known(in: firstLine)) }
        if text.hasPrefix("220") || text.hasPrefix("421") || text.hasPrefix("554") {
            let lower = firstLine.lowercased()
            if lower.contains("ftp") {
                let (product, version) = productVersion(in: firstLine, names: ["ProFTPD", "vsFTPd", "Pure-FTPd", "FileZilla Server", "Microsoft FTP Service", "Serv-U"])
                return Identification("ftp", product: product, version: version)
            }
            if lower.contains("smtp") || lower.contains("esmtp") || lower.contains("postfix") || lower.contains("exim") || lower.contains("mail") {
                let (product, version) = productVersion(in: firstLine, names: ["Postfix", "Exim", "Sendmail", "Microsoft ESMTP MAIL Service", "OpenSMTPD"])
                return Identification("smtp", product: product, version: version)
            }
            // A bare 220 greeting: FTP and SMTP look alike; the caller decides by port.
            return Identification("ftp-or-smtp")
        }
        if firstLine.lowercased().contains("login:") || firstLine.lowercased().contains("username:") { return Identification("telnet") }
        return nil
    }

    /// `OpenSSH_7.4p1` → (`OpenSSH`, `7.4p1`); `dropbear_2019.78` → (`dropbear`, `2019.78`).
    static func splitSoftware(_ software: String) -> (String?, String?) {
        guard !software.isEmpty else { return (nil, nil) }
        if let underscore = software.firstIndex(of: "_") {
            return (String(software[..<underscore]), String(software[software.index(after: underscore)...]))
        }
        return (software, nil)
    }

    private static func known(in line: String) -> String? {
        for name in ["Dovecot", "Cyrus", "Courier", "Microsoft Exchange", "Zimbra"] where line.contains(name) { return name }
        return nil
    }

    /// Finds `Name 1.2.3` or `Name/1.2.3` in a line.
    static func productVersion(in line: String, names: [String]) -> (String?, String?) {
        for name in names {
            guard let range = line.range(of: name, options: .caseInsensitive) else { continue }
            let rest = line[range.upperBound...].drop { $0 == " " || $0 == "/" || $0 == "(" }
            let version = rest.prefix { $0.isNumber || $0 == "." || $0.isLetter && rest.first?.isNumber == true }
            return (name, version.isEmpty || !(version.first?.isNumber ?? false) ? nil : String(version))
        }
        return (nil, nil)
    }

    /// MySQL/MariaDB: the server speaks first with a protocol-10 handshake, or an error packet
    /// (`Host '…' is not allowed to connect`).
    static func mysqlGreeting(_ bytes: [UInt8]) -> Identification? {
        var reader = ByteReader(bytes)
        guard let b0 = reader.u8(), let b1 = reader.u8(), let b2 = reader.u8(), let sequence = reader.u8() else { return nil }
        let length = Int(b0) | Int(b1) << 8 | Int(b2) << 16
        guard sequence == 0, length >= 2, length < 1 << 16 else { return nil }
        guard let kind = reader.u8() else { return nil }
        if kind == 0xFF {
            // Error packet: 2-byte code, then a message (sometimes '#' + SQL state).
            guard let message = reader.take(min(reader.remaining, length - 1)), message.count > 2 else { return nil }
            let text = String(decoding: message.dropFirst(2), as: UTF8.self)
            return text.contains("MySQL") || text.contains("MariaDB") || text.contains("not allowed to connect") ? Identification("mysql") : nil
        }
        guard kind == 10, bytes.count >= 4 + min(length, 40) else { return nil }
        guard let end = bytes[5...].prefix(80).firstIndex(of: 0) else { return nil }
        let raw = bytes[5..<end]
        guard !raw.isEmpty, raw.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), raw.first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true else { return nil }
        var version = String(decoding: raw, as: UTF8.self)
        var product = "MySQL"
        if version.contains("MariaDB") {
            product = "MariaDB"
            if version.hasPrefix("5.5.5-") { version = String(version.dropFirst(6)) }
            version = version.components(separatedBy: "-MariaDB").first ?? version
        }
        // After the version: connection id (4), auth data (8), filler (1), capability flags (2, low half).
        var after = ByteReader(Array(bytes[(end + 1)...]))
        var ssl: Bool?
        if after.take(13) != nil, let low = after.u8(), let high = after.u8() {
            let capabilities = UInt16(high) << 8 | UInt16(low)
            ssl = capabilities & 0x0800 != 0  // CLIENT_SSL
        }
        return Identification("mysql", product: product, version: version, startTLS: ssl)
    }

    // MARK: HTTP

    static func httpRequest(host: String, path: String = "/") -> [UInt8] {
        Array("GET \(path) HTTP/1.0\r\nHost: \(host)\r\nUser-Agent: sansang/0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n".utf8)
    }

    /// Classifies an HTTP reply: plain web servers, and the APIs that matter for exposure
    /// (Docker, Elasticsearch, Kubernetes, CouchDB, Kibana).
    static func classify(http bytes: [UInt8]) -> Identification? {
        let text = String(decoding: bytes.prefix(16384), as: UTF8.self)
        guard text.hasPrefix("HTTP/") else { return nil }
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? text
        let body = parts.dropFirst().joined(separator: "\r\n\r\n")
        var headers: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst().prefix(100) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let server = headers["server"] ?? ""
        if server.hasPrefix("Docker/") || headers["api-version"] != nil && headers["docker-experimental"] != nil || body.contains("\"ApiVersion\"") {
            let version = server.hasPrefix("Docker/") ? String(server.dropFirst(7).prefix { $0 != " " }) : nil
            return Identification("docker-api", product: "Docker", version: version)
        }
        if body.contains("\"cluster_name\"") && (body.contains("You Know, for Search") || body.contains("\"lucene_version\"")) || headers["x-elastic-product"] != nil {
            return Identification("elasticsearch", product: "Elasticsearch", version: jsonString("number", in: body))
        }
        if body.contains("\"gitVersion\"") || body.contains("\"kind\": \"Status\"") && body.contains("\"apiVersion\"") {
            return Identification("kubernetes-api", product: "Kubernetes", version: jsonString("gitVersion", in: body))
        }
        if body.contains("\"couchdb\"") && body.contains("Welcome") { return Identification("couchdb", product: "CouchDB", version: jsonString("version", in: body)) }
        if headers["kbn-name"] != nil { return Identification("kibana", product: "Kibana", version: headers["kbn-version"]) }
        if body.contains("The plain HTTP request was sent to HTTPS port") || body.contains("Client sent an HTTP request to an HTTPS server") {
            return Identification("https", product: server.isEmpty ? nil : server, tls: true)
        }
        let (product, version) = splitServer(server)
        return Identification("http", product: product, version: version, tls: false)
    }

    /// `nginx/1.18.0 (Ubuntu)` → (`nginx`, `1.18.0`).
    static func splitServer(_ server: String) -> (String?, String?) {
        guard !server.isEmpty else { return (nil, nil) }
        let first = server.split(separator: " ").first.map(String.init) ?? server
        if let slash = first.firstIndex(of: "/") {
            return (String(first[..<slash]), String(first[first.index(after: slash)...]))
        }
        return (first, nil)
    }

    static func jsonString(_ key: String, in body: String) -> String? {
        guard let range = body.range(of: "\"\(key)\"") else { return nil }
        let rest = body[range.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard rest.first == "\"" else { return nil }
        let value = rest.dropFirst().prefix { $0 != "\"" }
        return value.count <= 64 ? String(value) : nil
    }

    // MARK: STARTTLS dialogues (the reply decides; we never start the TLS handshake here)

    /// SMTP: the EHLO reply lists `STARTTLS` when the server offers it.
    static func smtpOffersStartTLS(_ reply: [UInt8]) -> Bool {
        String(decoding: reply, as: UTF8.self).uppercased().split(whereSeparator: \.isNewline)
            .contains { $0.hasPrefix("250") && $0.dropFirst(4).hasPrefix("STARTTLS") }
    }

    /// True when a multi-line SMTP reply is complete (last line `250 `, or any non-250 code with a space).
    static func smtpReplyComplete(_ bytes: [UInt8]) -> Bool {
        guard bytes.last == 0x0A else { return false }
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline)
        guard let last = lines.last, last.count >= 4 else { return false }
        return last[last.index(last.startIndex, offsetBy: 3)] == " "
    }

    static func lineComplete(_ bytes: [UInt8]) -> Bool { bytes.contains(0x0A) }

    // MARK: LDAP StartTLS (RFC 4511 §4.14)

    /// ExtendedRequest with requestName 1.3.6.1.4.1.1466.20037, message id 1.
    static let ldapStartTLS: [UInt8] = {
        let oid = Array("1.3.6.1.4.1.1466.20037".utf8)
        let request: [UInt8] = [0x77, UInt8(oid.count + 2), 0x80, UInt8(oid.count)] + oid
        let body: [UInt8] = [0x02, 0x01, 0x01] + request
        return [0x30, UInt8(body.count)] + body
    }()

    /// The resultCode of an ExtendedResponse (0 = success), or nil when the reply is not LDAP.
    static func ldapExtendedResult(_ bytes: [UInt8]) -> Int? {
        var reader = BER(bytes)
        guard let message = reader.element(), message.tag == 0x30 else { return nil }
        var inner = BER(message.content)
        guard let id = inner.element(), id.tag == 0x02, let op = inner.element(), op.tag == 0x78 else { return nil }
        var response = BER(op.content)
        guard let code = response.element(), code.tag == 0x0A, (1...4).contains(code.content.count) else { return nil }
        return code.content.reduce(0) { $0 << 8 | Int($1) }
    }

    // MARK: PostgreSQL SSLRequest

    static let postgresSSLRequest: [UInt8] = [0x00, 0x00, 0x00, 0x08, 0x04, 0xD2, 0x16, 0x2F]

    /// `S` = the server will do TLS, `N` = it will not; anything else is not PostgreSQL.
    static func postgresSSLAnswer(_ bytes: [UInt8]) -> Bool? {
        guard bytes.count == 1 else {
            // Very old servers answer an ErrorResponse ('E' …'SFATAL'…).
            if bytes.first == 0x45, String(decoding: bytes.prefix(512), as: UTF8.self).contains("SFATAL") { return false }
            return nil
        }
        switch bytes[0] {
        case 0x53: return true
        case 0x4E: return false
        default: return nil
        }
    }

    // MARK: other light probes

    static let redisPing = Array("PING\r\n".utf8)

    static func classify(redis bytes: [UInt8]) -> Identification? {
        let text = String(decoding: bytes.prefix(512), as: UTF8.self)
        if text.hasPrefix("+PONG") || text.hasPrefix("-NOAUTH") || text.hasPrefix("-DENIED") || text.hasPrefix("-ERR operation not permitted") {
            return Identification("redis", product: "Redis")
        }
        return nil
    }

    /// MongoDB: OP_QUERY `isMaster` on `admin.$cmd` (answered by every server version).
    static let mongoIsMaster: [UInt8] = {
        var document: [UInt8] = [0x10] + Array("isMaster".utf8) + [0] + le32(1)
        document = le32(document.count + 5) + document + [0]
        var body: [UInt8] = le32(0) + Array("admin.$cmd".utf8) + [0] + le32(0) + le32(-1) + document
        body = le32(body.count + 16) + le32(0x5A5A) + le32(0) + le32(2004) + body
        return body
    }()

    static func isMongoReply(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 16 else { return false }
        let length = le32(bytes, 0), opcode = le32(bytes, 12)
        return length >= 16 && length < 48 * 1024 * 1024 && (opcode == 1 || opcode == 2013)
    }

    /// MSSQL: a TDS PRELOGIN packet (VERSION, ENCRYPTION off, INSTOPT, THREADID, MARS).
    static let tdsPrelogin: [UInt8] = {
        let options: [UInt8] = [0x00, 0x00, 0x1A, 0x00, 0x06, 0x01, 0x00, 0x20, 0x00, 0x01, 0x02, 0x00, 0x21, 0x00, 0x01,
                                0x03, 0x00, 0x22, 0x00, 0x04, 0x04, 0x00, 0x26, 0x00, 0x01, 0xFF]
        let data: [UInt8] = [0, 0, 0, 0, 0, 0] + [0x00] + [0x00] + [0, 0, 0, 0] + [0x00]
        let payload = options + data
        let length = payload.count + 8
        return [0x12, 0x01, UInt8(length >> 8), UInt8(length & 0xFF), 0x00, 0x00, 0x01, 0x00] + payload
    }()

    /// A PRELOGIN response: the server version and whether it can encrypt.
    static func classify(tds bytes: [UInt8]) -> Identification? {
        guard bytes.count >= 8, bytes[0] == 0x04 else { return nil }
        let payload = Array(bytes.dropFirst(8))
        var version: String?
        var encryption: UInt8?
        var index = 0
        while index + 5 <= payload.count && index < 100 {
            let token = payload[index]
            if token == 0xFF { break }
            let offset = Int(payload[index + 1]) << 8 | Int(payload[index + 2])
            let length = Int(payload[index + 3]) << 8 | Int(payload[index + 4])
            if offset + length <= payload.count {
                if token == 0x00, length >= 4 {
                    let build = Int(payload[offset + 2]) << 8 | Int(payload[offset + 3])
                    version = "\(payload[offset]).\(payload[offset + 1]).\(build)"
                } else if token == 0x01, length >= 1 {
                    encryption = payload[offset]
                }
            }
            index += 5
        }
        guard version != nil || encryption != nil else { return nil }
        return Identification("mssql", product: "Microsoft SQL Server", version: version, startTLS: encryption.map { $0 != 0x02 })
    }

    /// Oracle TNS: a CONNECT packet for an empty service name.
    static func tnsConnect(host: String, port: Int) -> [UInt8] {
        let data = Array("(DESCRIPTION=(CONNECT_DATA=(SERVICE_NAME=)(CID=(PROGRAM=sansang)(HOST=sansang)(USER=sansang)))(ADDRESS=(PROTOCOL=TCP)(HOST=\(host))(PORT=\(port))))".utf8)
        var fixed: [UInt8] = [0x01, 0x39, 0x01, 0x2C, 0x00, 0x00, 0x08, 0x00, 0x7F, 0xFF, 0x7F, 0x08, 0x00, 0x00, 0x00, 0x01]
        fixed += [UInt8(data.count >> 8), UInt8(data.count & 0xFF), 0x00, 0x3A, 0, 0, 0, 0, 0x41, 0x41]
        fixed += [UInt8](repeating: 0, count: 24)
        let length = 8 + fixed.count + data.count
        return [UInt8(length >> 8), UInt8(length & 0xFF), 0, 0, 0x01, 0, 0, 0] + fixed + data
    }

    static func classify(tns bytes: [UInt8]) -> Identification? {
        guard bytes.count >= 8 else { return nil }
        let length = Int(bytes[0]) << 8 | Int(bytes[1])
        guard length >= 8, [2, 4, 5, 11, 12].contains(bytes[4]) else { return nil }
        var version: String?
        let text = String(decoding: bytes.prefix(2048), as: UTF8.self)
        if let range = text.range(of: "VSNNUM=") {
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            if let number = Int(digits) {  // hex digits a.b.c.d.e packed as 0xAABCCDEE
                version = "\(number >> 24).\(number >> 20 & 0xF).\(number >> 12 & 0xFF).\(number >> 8 & 0xF).\(number & 0xFF)"
            }
        }
        return Identification("oracle-tns", product: "Oracle TNS Listener", version: version)
    }

    /// RDP: an X.224 Connection Request with an RDP negotiation request (TLS | CredSSP).
    static let rdpConnectionRequest: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0x00, 0x00, 0x00, 0x00, 0x00,
                                                0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]

    static func classify(rdp bytes: [UInt8]) -> Identification? {
        guard bytes.count >= 11, bytes[0] == 0x03, bytes[1] == 0x00, bytes[5] == 0xD0 else { return nil }
        var startTLS: Bool?
        if bytes.count >= 19 {
            if bytes[11] == 0x02 { startTLS = bytes[15] & 0x03 != 0 }  // RDP_NEG_RSP: selected protocol
            if bytes[11] == 0x03 { startTLS = false }  // RDP_NEG_FAILURE
        }
        return Identification("rdp", startTLS: startTLS)
    }

    /// SMB: an SMB1 NEGOTIATE offering NT LM 0.12 and SMB 2.x (servers answer in the best dialect).
    static let smbNegotiate: [UInt8] = {
        var dialects: [UInt8] = []
        for name in ["NT LM 0.12", "SMB 2.002", "SMB 2.???"] { dialects += [0x02] + Array(name.utf8) + [0] }
        var header: [UInt8] = [0xFF, 0x53, 0x4D, 0x42, 0x72, 0, 0, 0, 0, 0x18, 0x53, 0xC8]
        header += [UInt8](repeating: 0, count: 12) + [0xFF, 0xFE, 0, 0, 0, 0, 0, 0]
        let body = header + [0x00, UInt8(dialects.count & 0xFF), UInt8(dialects.count >> 8)] + dialects
        return [0x00, 0x00, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }()

    static func classify(smb bytes: [UInt8]) -> Identification? {
        guard bytes.count >= 8, bytes[0] == 0x00 else { return nil }
        let magic = Array(bytes[4..<8])
        if magic == [0xFE, 0x53, 0x4D, 0x42] { return Identification("smb", product: "SMB2/3") }
        if magic == [0xFF, 0x53, 0x4D, 0x42] { return Identification("smb", product: "SMB1") }
        return nil
    }

    /// A TLS 1.2 ClientHello that most servers answer with a ServerHello or an alert; only the
    /// record type of the reply matters (the TLS audit itself is the TLS probe's job).
    static func tlsClientHello(serverName: String?) -> [UInt8] {
        let suites: [UInt16] = [0xC02F, 0xC030, 0xC02B, 0xC02C, 0xCCA8, 0xCCA9, 0x009E, 0x009F, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035, 0x000A, 0x1301, 0x1302, 0x1303]
        var extensions: [UInt8] = []
        if let serverName, !IPAddress.isLiteral(serverName), serverName.utf8.count < 250 {
            let name = Array(serverName.utf8)
            let list = [0x00] + be16(name.count) + name
            extensions += be16(0x0000) + be16(list.count + 2) + be16(list.count) + list
        }
        let groups: [UInt16] = [0x001D, 0x0017, 0x0018]
        extensions += be16(0x000A) + be16(groups.count * 2 + 2) + be16(groups.count * 2) + groups.flatMap { be16(Int($0)) }
        extensions += be16(0x000B) + be16(2) + [0x01, 0x00]
        let signatures: [UInt16] = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201]
        extensions += be16(0x000D) + be16(signatures.count * 2 + 2) + be16(signatures.count * 2) + signatures.flatMap { be16(Int($0)) }
        extensions += be16(0xFF01) + be16(1) + [0x00]
        var body: [UInt8] = [0x03, 0x03] + (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } + [0x00]
        body += be16(suites.count * 2) + suites.flatMap { be16(Int($0)) } + [0x01, 0x00]
        body += be16(extensions.count) + extensions
        let handshake: [UInt8] = [0x01, 0x00] + be16(body.count) + body
        return [0x16, 0x03, 0x01] + be16(handshake.count) + handshake
    }

    /// True when the reply is a TLS record (handshake or alert) of SSLv3 or later.
    static func isTLSReply(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 5 && (bytes[0] == 0x16 || bytes[0] == 0x15) && bytes[1] == 0x03 && bytes[2] <= 0x04
    }

    // MARK: helpers

    static func be16(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
    static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
    static func le32(_ bytes: [UInt8], _ offset: Int) -> Int {
        guard offset + 4 <= bytes.count else { return -1 }
        return (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << ($1 * 8) }
    }
}

/// A minimal BER reader (definite lengths only) for LDAP replies; bounds-checked.
struct BER {
    struct Element { var tag: UInt8; var content: [UInt8] }
    private var reader: ByteReader

    init(_ bytes: [UInt8]) { reader = ByteReader(bytes) }

    mutating func element() -> Element? {
        guard let tag = reader.u8(), let first = reader.u8() else { return nil }
        var length = Int(first)
        if first & 0x80 != 0 {
            let count = Int(first & 0x7F)
            guard (1...3).contains(count), let raw = reader.take(count) else { return nil }
            length = raw.reduce(0) { $0 << 8 | Int($1) }
        }
        guard let content = reader.take(length) else { return nil }
        return Element(tag: tag, content: Array(content))
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
