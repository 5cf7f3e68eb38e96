public import SansangCore
import Foundation

/// Built-in rules over nginx, Apache httpd and sshd configuration files. Ids are stable forever.
/// Subjects name the file and the server, location or keyword (not the line, which moves when the
/// file is edited); evidence gives file:line.
public enum ConfigRules {
    public static let all: [ConfigRule] = [parseErrorRule] + nginxRules + apacheRules + sshdRules

    static let parseErrorRule = ConfigRule(.config(
        "config.parse-error", .medium,
        vi: "Tệp cấu hình không đọc hoặc không phân tích được", en: "A configuration file could not be read or parsed",
        fixVi: "Sửa lỗi cú pháp tại vị trí được nêu (kiểm tra bằng nginx -t, apachectl -t hoặc sshd -t) hoặc cấp quyền đọc tệp cho sansang; các kiểm tra cấu hình liên quan chưa thể đánh giá.",
        fixEn: "Fix the syntax error at the position given (check with nginx -t, apachectl -t or sshd -t) or let sansang read the file; the related configuration checks cannot be judged until then.",
        requirements: []
    )) { config, _ in
        guard !config.files.isEmpty || !config.errors.isEmpty else { return .notApplicable }
        if config.errors.isEmpty { return .pass }
        return .fail(config.errors.map { FindingDraft(subject: "\($0.kind.rawValue):\($0.file)", evidence: $0.description) })
    }

    // MARK: nginx (A06-07, A05-16, C06-05, C06-06)

    static func serverSubject(_ server: NginxServerFacts) -> String { "\(server.file) server \(server.label)" }

    static func describe(_ directives: [ConfigDirective]) -> String {
        directives.map(\.description).joined(separator: "; ")
    }

    static let weakProtocolNames: Set<String> = ["sslv2", "sslv3", "tlsv1", "tlsv1.1"]

    static let nginxRules: [ConfigRule] = [
        ConfigRule(.config(
            "config.nginx.tls-protocols", .high,
            vi: "nginx cho phép SSL/TLS 1.0/TLS 1.1 (ssl_protocols)", en: "nginx allows SSL, TLS 1.0 or TLS 1.1 (ssl_protocols)",
            fixVi: "Đặt ssl_protocols TLSv1.2 TLSv1.3; trong khối http (và mọi khối server có ssl_protocols riêng), chạy nginx -t rồi nạp lại.",
            fixEn: "Set ssl_protocols TLSv1.2 TLSv1.3; in the http block (and every server block with its own ssl_protocols), run nginx -t and reload.",
            requirements: ["A06-07"], references: ["RFC 8996"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for server in config.nginx where server.ssl {
                let protocols = server.values("ssl_protocols")
                if let last = protocols.last {
                    let weak = last.arguments.filter { weakProtocolNames.contains($0.lowercased()) }
                    if !weak.isEmpty {
                        drafts.append(FindingDraft(subject: serverSubject(server), evidence: "\(last.description) (server at \(server.location)) enables \(weak.joined(separator: ", "))"))
                    }
                } else {
                    drafts.append(FindingDraft(
                        subject: serverSubject(server),
                        evidence: "No ssl_protocols for the TLS server at \(server.location); nginx before 1.23.4 then enables TLSv1 TLSv1.1 TLSv1.2", severity: .medium
                    ))
                }
            }
            return config.verdict(.nginx, drafts)
        },
        ConfigRule(.config(
            "config.nginx.weak-ciphers", .high,
            vi: "nginx cho phép bộ mã yếu (ssl_ciphers)", en: "nginx allows weak cipher suites (ssl_ciphers)",
            fixVi: "Đặt ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305; và ssl_prefer_server_ciphers on;",
            fixEn: "Set ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305; and ssl_prefer_server_ciphers on;",
            requirements: ["A06-07"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for server in config.nginx where server.ssl {
                guard let ciphers = server.values("ssl_ciphers").last else { continue }  // the default, HIGH:!aNULL:!MD5, has no broken suite
                let weak = CipherString.weakElements(ciphers.value)
                if !weak.isEmpty {
                    drafts.append(FindingDraft(subject: serverSubject(server), evidence: "\(ciphers.description) enables \(weak.joined(separator: ", "))"))
                }
            }
            return config.verdict(.nginx, drafts)
        },
        ConfigRule(.config(
            "config.nginx.server-tokens", .low,
            vi: "nginx để lộ phiên bản (server_tokens không tắt)", en: "nginx discloses its version (server_tokens not off)",
            fixVi: "Đặt server_tokens off; trong khối http.", fixEn: "Set server_tokens off; in the http block.",
            requirements: ["A06-07"]
        )) { config, _ in
            let drafts = config.nginx.compactMap { server -> FindingDraft? in
                let tokens = server.values("server_tokens").last
                if tokens?.arguments.first?.lowercased() == "off" { return nil }
                return FindingDraft(subject: serverSubject(server), evidence: tokens.map { "\($0.description) (server at \(server.location))" } ?? "server_tokens is not set for the server at \(server.location) (default: on)")
            }
            return config.verdict(.nginx, drafts)
        },
        ConfigRule(.config(
            "config.nginx.hsts-missing", .medium,
            vi: "nginx không gửi HSTS (thiếu add_header Strict-Transport-Security)", en: "nginx sends no HSTS (add_header Strict-Transport-Security missing)",
            fixVi: "Thêm add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always; vào khối server TLS và vào mọi location có add_header riêng (add_header ở location thay thế toàn bộ add_header kế thừa).",
            fixEn: "Add add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always; to the TLS server block and to every location with its own add_header (a location's add_header replaces every inherited one).",
            requirements: ["A06-07"], references: ["RFC 6797"]
        )) { config, _ in
            func hasHSTS(_ headers: [ConfigDirective]) -> Bool {
                headers.contains { $0.arguments.first?.lowercased() == "strict-transport-security" }
            }
            var drafts: [FindingDraft] = []
            for server in config.nginx where server.ssl {
                if !hasHSTS(server.values("add_header")) {
                    let headers = server.values("add_header")
                    drafts.append(FindingDraft(subject: serverSubject(server), evidence: "No Strict-Transport-Security add_header for the TLS server at \(server.location)" + (headers.isEmpty ? "" : "; headers in effect: " + describe(headers))))
                    continue
                }
                for location in server.locations where !hasHSTS(location.values("add_header")) {
                    drafts.append(FindingDraft(subject: serverSubject(server) + " location \(location.match)", evidence: "location \(location.match) at \(location.location) sets its own add_header, which drops the inherited Strict-Transport-Security: " + describe(location.values("add_header"))))
                }
            }
            return config.verdict(.nginx, drafts)
        },
        ConfigRule(.config(
            "config.nginx.autoindex", .medium,
            vi: "nginx bật liệt kê thư mục (autoindex on)", en: "nginx directory listing enabled (autoindex on)",
            fixVi: "Đặt autoindex off; (hoặc xóa dòng autoindex on) ở mọi khối.", fixEn: "Set autoindex off; (or remove autoindex on) everywhere.",
            requirements: []
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for server in config.nginx {
                if let on = server.values("autoindex").last, on.arguments.first?.lowercased() == "on" {
                    drafts.append(FindingDraft(subject: serverSubject(server), evidence: on.description))
                    continue
                }
                for location in server.locations {
                    if let on = location.values("autoindex").last, on.arguments.first?.lowercased() == "on" {
                        drafts.append(FindingDraft(subject: serverSubject(server) + " location \(location.match)", evidence: on.description))
                    }
                }
            }
            return config.verdict(.nginx, drafts)
        },
        ConfigRule(.config(
            "config.nginx.rate-limit-missing", .medium,
            vi: "Máy chủ nginx công khai không giới hạn tần suất/số kết nối (limit_req, limit_conn)", en: "Public nginx server without rate or connection limits (limit_req, limit_conn)",
            fixVi: "Khai báo limit_req_zone $binary_remote_addr zone=req:10m rate=10r/s; và limit_conn_zone $binary_remote_addr zone=conn:10m; trong http, rồi limit_req zone=req burst=20 nodelay; limit_conn conn 20; trong server.",
            fixEn: "Declare limit_req_zone $binary_remote_addr zone=req:10m rate=10r/s; and limit_conn_zone $binary_remote_addr zone=conn:10m; in http, then limit_req zone=req burst=20 nodelay; limit_conn conn 20; in the server.",
            requirements: ["A05-16"]
        )) { config, _ in
            let drafts = config.nginx.compactMap { server -> FindingDraft? in
                guard !server.loopbackOnly else { return nil }
                let limited = ["limit_req", "limit_conn"].contains { name in
                    !server.values(name).isEmpty || server.locations.contains { !$0.values(name).isEmpty }
                }
                let listen = server.listen.isEmpty ? "*:80" : server.listen.joined(separator: ", ")
                return limited ? nil : FindingDraft(subject: serverSubject(server), evidence: "Server at \(server.location) (listen \(listen)) has neither limit_req nor limit_conn in effect")
            }
            return config.verdict(.nginx, drafts)
        },
        ConfigRule(.config(
            "config.nginx.client-verify-off", .critical,
            vi: "Endpoint tích hợp trên nginx không bắt buộc chứng thư máy khách (ssl_verify_client)", en: "The nginx integration endpoint does not require client certificates (ssl_verify_client)",
            fixVi: "Trên khối server của endpoint tích hợp: ssl_client_certificate <CA của bên kết nối>; ssl_verify_client on; ssl_verify_depth 2; (đánh dấu khối bằng chú thích # sansang: integration).",
            fixEn: "In the integration endpoint's server block: ssl_client_certificate <the peers' CA>; ssl_verify_client on; ssl_verify_depth 2; (mark the block with the comment # sansang: integration).",
            requirements: ["C06-05"]
        )) { config, _ in
            guard config.has(.nginx) else { return .notApplicable }
            let integration = config.nginx.filter(\.integration)
            guard !integration.isEmpty else {
                return config.errors(kind: .nginx).isEmpty
                    ? .inconclusive("no nginx server is marked as the integration endpoint (add the comment '# sansang: integration' inside its server block)")
                    : config.verdict(.nginx, [])
            }
            var drafts: [FindingDraft] = []
            for server in integration {
                guard server.ssl else {
                    drafts.append(FindingDraft(subject: serverSubject(server), evidence: "The integration server at \(server.location) does not listen with TLS, so it cannot verify client certificates"))
                    continue
                }
                let verify = server.values("ssl_verify_client").last
                if verify?.arguments.first?.lowercased() != "on" {
                    drafts.append(FindingDraft(subject: serverSubject(server), evidence: verify.map(\.description) ?? "ssl_verify_client is not set for the integration server at \(server.location) (default: off)"))
                }
            }
            return config.verdict(.nginx, drafts)
        },
        ConfigRule(.config(
            "config.nginx.integration-open", .critical,
            vi: "Endpoint tích hợp dân cư trên nginx không giới hạn IP nguồn (allow/deny)", en: "The nginx integration endpoint has no source-IP allowlist (allow/deny)",
            fixVi: "Trong khối server/location của endpoint tích hợp: allow <IP của LGSP/NDXP>; deny all;",
            fixEn: "In the integration endpoint's server or location blocks: allow <LGSP/NDXP addresses>; deny all;",
            requirements: ["C06-06"]
        )) { config, _ in
            guard config.has(.nginx) else { return .notApplicable }
            let integration = config.nginx.filter(\.integration)
            guard !integration.isEmpty else {
                return .inconclusive("no nginx server is marked as the integration endpoint (add the comment '# sansang: integration' inside its server block)")
            }
            var drafts: [FindingDraft] = []
            for server in integration where !server.loopbackOnly {
                if denies(server.directives) { continue }
                let open = server.locations.filter { !denies($0.directives) }
                if server.locations.isEmpty || !open.isEmpty {
                    let where_ = open.isEmpty ? "" : "; locations without deny all: " + open.map { "\($0.match) (\($0.location))" }.joined(separator: ", ")
                    drafts.append(FindingDraft(subject: serverSubject(server), evidence: "The integration server at \(server.location) has no 'deny all' in effect" + where_))
                }
            }
            return config.verdict(.nginx, drafts)
        },
        ConfigRule(.config(
            "config.nginx.admin-unrestricted", .high,
            vi: "Đường dẫn quản trị trên nginx không giới hạn truy cập (thiếu allow/deny)", en: "nginx admin location not restricted (allow/deny missing)",
            fixVi: "Trong location quản trị: allow <dải IP vùng quản trị/VPN>; deny all; (hoặc không công bố giao diện quản trị trên cổng dịch vụ).",
            fixEn: "In the admin location: allow <management zone or VPN range>; deny all; (or do not publish the admin interface on the service port).",
            requirements: ["C06-06"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for server in config.nginx where !server.loopbackOnly {
                for location in server.locations where isAdmin(location.match) && !restricted(location.directives) {
                    drafts.append(FindingDraft(subject: serverSubject(server) + " location \(location.match)", evidence: "location \(location.match) at \(location.location) has no allow/deny (deny all), auth_basic or auth_request in effect"))
                }
            }
            return config.verdict(.nginx, drafts)
        },
    ]

    static let adminPattern = try? NSRegularExpression(pattern: "(^|[/~*^ (|])(admin|administrator|quan-?tri|manager|management|actuator|console|phpmyadmin|pma|wp-admin|server-status|nginx_status|jolokia|metrics|swagger|api-docs)", options: [.caseInsensitive])

    static func isAdmin(_ match: String) -> Bool {
        guard let regex = adminPattern else { return false }
        return regex.firstMatch(in: match, range: NSRange(match.startIndex..., in: match)) != nil
    }

    static func denies(_ directives: [String: [ConfigDirective]]) -> Bool {
        (directives["deny"] ?? []).contains { $0.arguments.first?.lowercased() == "all" }
    }

    static func restricted(_ directives: [String: [ConfigDirective]]) -> Bool {
        if denies(directives) { return true }
        if let basic = directives["auth_basic"]?.last, basic.arguments.first?.lowercased() != "off" { return true }
        if let request = directives["auth_request"]?.last, request.arguments.first?.lowercased() != "off" { return true }
        if directives["internal"] != nil { return true }
        if let code = directives["return"]?.last?.arguments.first, ["403", "404", "444"].contains(code) { return true }
        return false
    }
}
