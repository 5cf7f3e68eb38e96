import Testing
@testable import PortProbe

@Suite struct ServiceWireTests {
    static func mysqlHandshake(_ version: String, ssl: Bool = true) -> [UInt8] {
        var payload: [UInt8] = [10] + Array(version.utf8) + [0]
        payload += [1, 0, 0, 0] + Array("abcdefgh".utf8) + [0]
        payload += ssl ? [0xFF, 0xFF] : [0xFF, 0xF7]
        payload += [0x21, 0x02, 0x00, 0xFF, 0x81, 21] + [UInt8](repeating: 0, count: 10) + Array("ijklmnopqrst".utf8) + [0]
        payload += Array("mysql_native_password".utf8) + [0]
        return [UInt8(payload.count & 0xFF), UInt8(payload.count >> 8), 0, 0] + payload
    }

    @Test(arguments: [
        ("220 ProFTPD 1.3.5 Server (Debian) [::ffff:127.0.0.1]\r\n", "ftp", "ProFTPD", "1.3.5"),
        ("220 (vsFTPd 3.0.3)\r\n", "ftp", "vsFTPd", "3.0.3"),
        ("SSH-2.0-OpenSSH_7.4\r\n", "ssh", "OpenSSH", "7.4"),
        ("SSH-2.0-dropbear_2019.78\r\n", "ssh", "dropbear", "2019.78"),
        ("220 mail.tinh.gov.vn ESMTP Postfix (Ubuntu)\r\n", "smtp", "Postfix", nil),
        ("+OK Dovecot ready.\r\n", "pop3", "Dovecot", nil),
        ("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n", "imap", "Dovecot", nil),
        ("RFB 003.008\n", "vnc", nil, "003.008"),
        ("@RSYNCD: 31.0\n", "rsync", nil, "31.0"),
    ] as [(String, String, String?, String?)])
    func textBanners(_ banner: String, _ service: String, _ product: String?, _ version: String?) {
        let id = ServiceWire.classify(banner: Array(banner.utf8))
        #expect(id?.service == service)
        #expect(id?.product == product)
        #expect(id?.version == version)
    }

    @Test func telnetNegotiationAndPrintableBanner() {
        let bytes: [UInt8] = [0xFF, 0xFD, 0x18, 0xFF, 0xFD, 0x20, 0xFF, 0xFB, 0x01] + Array("\r\nlogin: ".utf8)
        #expect(ServiceWire.classify(banner: bytes)?.service == "telnet")
        #expect(ServiceWire.printable(bytes) == "\\r\\nlogin: ")
        #expect(ServiceWire.printable([0x00, 0x41, 0x7F]) == "\\x00A\\x7f")
        #expect(ServiceWire.printable([UInt8](repeating: 0x41, count: 500)).count == 201)
        #expect(ServiceWire.printable([0xFF, 0xFA, 0x18]) == "")  // unterminated sub-negotiation
    }

    @Test func mysqlAndMariaDBGreetings() {
        let mysql = ServiceWire.classify(banner: Self.mysqlHandshake("5.7.33"))
        #expect(mysql?.service == "mysql")
        #expect(mysql?.product == "MySQL")
        #expect(mysql?.version == "5.7.33")
        #expect(mysql?.startTLS == true)
        let maria = ServiceWire.classify(banner: Self.mysqlHandshake("5.5.5-10.3.27-MariaDB-0+deb10u1", ssl: false))
        #expect(maria?.product == "MariaDB")
        #expect(maria?.version == "10.3.27")
        #expect(maria?.startTLS == false)
        var denied: [UInt8] = [0xFF, 0x6A, 0x04] + Array("Host '10.1.1.1' is not allowed to connect to this MySQL server".utf8)
        denied = [UInt8(denied.count), 0, 0, 0] + denied
        #expect(ServiceWire.classify(banner: denied)?.service == "mysql")
        let handshake = Self.mysqlHandshake("8.0.36")
        for length in 0..<handshake.count { _ = ServiceWire.mysqlGreeting(Array(handshake.prefix(length))) }
    }

    @Test func httpReplies() {
        let nginx = ServiceWire.classify(http: Array("HTTP/1.1 200 OK\r\nServer: nginx/1.18.0 (Ubuntu)\r\n\r\n<html>".utf8))
        #expect(nginx?.service == "http")
        #expect(nginx?.product == "nginx")
        #expect(nginx?.version == "1.18.0")
        let docker = ServiceWire.classify(http: Array("HTTP/1.1 404 Not Found\r\nApi-Version: 1.41\r\nDocker-Experimental: false\r\nServer: Docker/20.10.5 (linux)\r\n\r\n{\"message\":\"page not found\"}".utf8))
        #expect(docker?.service == "docker-api")
        #expect(docker?.version == "20.10.5")
        let elastic = ServiceWire.classify(http: Array("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"name\":\"n1\",\"cluster_name\":\"es\",\"version\":{\"number\" : \"7.10.2\",\"lucene_version\":\"8.7.0\"},\"tagline\":\"You Know, for Search\"}".utf8))
        #expect(elastic?.service == "elasticsearch")
        #expect(elastic?.version == "7.10.2")
        let kube = ServiceWire.classify(http: Array("HTTP/1.1 200 OK\r\n\r\n{\"major\":\"1\",\"gitVersion\": \"v1.28.2\"}".utf8))
        #expect(kube?.service == "kubernetes-api")
        #expect(kube?.version == "v1.28.2")
        #expect(ServiceWire.classify(http: Array("HTTP/1.1 400 Bad Request\r\n\r\nThe plain HTTP request was sent to HTTPS port".utf8))?.tls == true)
        #expect(ServiceWire.classify(http: Array("SSH-2.0-x\r\n".utf8)) == nil)
    }

    @Test func startTLSDialogues() {
        let ehlo = Array("250-mail.example\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n".utf8)
        #expect(ServiceWire.smtpReplyComplete(ehlo))
        #expect(ServiceWire.smtpOffersStartTLS(ehlo))
        #expect(!ServiceWire.smtpOffersStartTLS(Array("250-mail.example\r\n250 8BITMIME\r\n".utf8)))
        #expect(!ServiceWire.smtpReplyComplete(Array("250-mail.example\r\n250-PIPE".utf8)))
        #expect(ServiceWire.postgresSSLRequest == [0x00, 0x00, 0x00, 0x08, 0x04, 0xD2, 0x16, 0x2F])
        #expect(ServiceWire.postgresSSLAnswer([0x53]) == true)
        #expect(ServiceWire.postgresSSLAnswer([0x4E]) == false)
        #expect(ServiceWire.postgresSSLAnswer([0x48, 0x54]) == nil)
    }

    @Test func ldapStartTLS() {
        let request = ServiceWire.ldapStartTLS
        #expect(request.count == 31 && request[0] == 0x30 && request[1] == 29 && request[5] == 0x77)
        // ExtendedResponse: success, and protocolError (2) from a server without StartTLS.
        let success: [UInt8] = [0x30, 0x0C, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0A, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]
        #expect(ServiceWire.ldapExtendedResult(success) == 0)
        var refused = success
        refused[9] = 0x02
        #expect(ServiceWire.ldapExtendedResult(refused) == 2)
        for length in 0..<success.count { #expect(ServiceWire.ldapExtendedResult(Array(success.prefix(length))) == nil) }
        #expect(ServiceWire.ldapExtendedResult([0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]) == nil)
    }

    @Test func binaryProbes() {
        #expect(ServiceWire.classify(redis: Array("-NOAUTH Authentication required.\r\n".utf8))?.service == "redis")
        #expect(ServiceWire.classify(redis: Array("+PONG\r\n".utf8))?.service == "redis")
        #expect(ServiceWire.classify(redis: Array("HTTP/1.1 400".utf8)) == nil)
        #expect(ServiceWire.mongoIsMaster.count == 58 && ServiceWire.le32(ServiceWire.mongoIsMaster, 0) == 58)
        #expect(ServiceWire.isMongoReply(ServiceWire.le32(36) + ServiceWire.le32(1) + ServiceWire.le32(0x5A5A) + ServiceWire.le32(1) + [UInt8](repeating: 0, count: 20)))
        #expect(ServiceWire.tdsPrelogin.count == 47)
        let tdsReply: [UInt8] = [0x04, 0x01, 0x00, 0x20, 0, 0, 1, 0, 0x00, 0x00, 0x0B, 0x00, 0x06, 0x01, 0x00, 0x11, 0x00, 0x01, 0xFF, 0x0F, 0x00, 0x10, 0x04, 0, 0, 0x00]
        let mssql = ServiceWire.classify(tds: tdsReply)
        #expect(mssql?.service == "mssql" && mssql?.version == "15.0.4100" && mssql?.startTLS == true)
        #expect(ServiceWire.classify(rdp: [0x03, 0x00, 0x00, 0x13, 0x0E, 0xD0, 0, 0, 0x12, 0x34, 0, 0x02, 0x00, 0x08, 0x00, 0x01, 0, 0, 0])?.startTLS == true)
        #expect(ServiceWire.classify(smb: [0, 0, 0, 0x40, 0xFE, 0x53, 0x4D, 0x42])?.service == "smb")
        #expect(ServiceWire.classify(tns: [0x00, 0x08, 0, 0, 0x04, 0, 0, 0])?.service == "oracle-tns")
        #expect(ServiceWire.isTLSReply([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]))
        #expect(!ServiceWire.isTLSReply(Array("HTTP/1.1".utf8)))
        let hello = ServiceWire.tlsClientHello(serverName: "portal.example")
        #expect(hello[0] == 0x16 && Int(hello[3]) << 8 | Int(hello[4]) == hello.count - 5)
    }

    @Test func garbageNeverCrashesClassifiers() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = ServiceWire.classify(banner: bytes)
            _ = ServiceWire.classify(http: bytes)
            _ = ServiceWire.classify(tds: bytes)
            _ = ServiceWire.classify(tns: bytes)
            _ = ServiceWire.classify(rdp: bytes)
            _ = ServiceWire.classify(smb: bytes)
            _ = ServiceWire.ldapExtendedResult(bytes)
            _ = ServiceWire.printable(bytes)
        }
    }
}
