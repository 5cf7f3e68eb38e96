public import SansangCore

extension ConfigRules {
    static func vhostSubject(_ host: ApacheVirtualHostFacts) -> String { "\(host.file) VirtualHost \(host.address)" }

    /// The protocols an `SSLProtocol` line enables, as mod_ssl reads it (`all`, `+x`, `-x`, `x`).
    static func apacheProtocols(_ arguments: [String]) -> Set<String> {
        let all: Set<String> = ["tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"]
        var enabled: Set<String> = []
        for argument in arguments.map({ $0.lowercased() }) {
            let sign = argument.first
            let name = (sign == "+" || sign == "-") ? String(argument.dropFirst()) : argument
            let names: Set<String> = name == "all" ? all : [name]
            if sign == "-" { enabled.subtract(names) } else { enabled.formUnion(names) }
        }
        return enabled
    }

    static let apacheRules: [ConfigRule] = [
        ConfigRule(.config(
            "config.apache.tls-protocols", .high,
            vi: "Apache cho phép SSL/TLS 1.0/TLS 1.1 (SSLProtocol)", en: "Apache allows SSL, TLS 1.0 or TLS 1.1 (SSLProtocol)",
            fixVi: "Đặt SSLProtocol -all +TLSv1.2 +TLSv1.3 (toàn cục và trong mọi VirtualHost có SSLProtocol riêng), chạy apachectl -t rồi nạp lại.",
            fixEn: "Set SSLProtocol -all +TLSv1.2 +TLSv1.3 (globally and in every VirtualHost with its own SSLProtocol), run apachectl -t and reload.",
            requirements: ["A06-07"], references: ["RFC 8996"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for apache in config.apache {
                for host in apache.virtualHosts where host.ssl {
                    guard let line = host.values("SSLProtocol").last else {
                        drafts.append(FindingDraft(subject: vhostSubject(host), evidence: "No SSLProtocol for the TLS virtual host at \(host.location); the default 'all -SSLv3' enables TLSv1 and TLSv1.1", severity: .medium))
                        continue
                    }
                    let weak = apacheProtocols(line.arguments).intersection(weakProtocolNames)
                    if !weak.isEmpty {
                        drafts.append(FindingDraft(subject: vhostSubject(host), evidence: "\(line.description) enables \(weak.sorted().joined(separator: ", "))"))
                    }
                }
            }
            return config.verdict(.apache, drafts)
        },
        ConfigRule(.config(
            "config.apache.weak-ciphers", .high,
            vi: "Apache cho phép bộ mã yếu (SSLCipherSuite)", en: "Apache allows weak cipher suites (SSLCipherSuite)",
            fixVi: "Đặt SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305 và SSLHonorCipherOrder on.",
            fixEn: "Set SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305 and SSLHonorCipherOrder on.",
            requirements: ["A06-07"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for apache in config.apache {
                for host in apache.virtualHosts where host.ssl {
                    guard let line = host.values("SSLCipherSuite").last, let spec = line.arguments.last else { continue }
                    let weak = CipherString.weakElements(spec)
                    if !weak.isEmpty { drafts.append(FindingDraft(subject: vhostSubject(host), evidence: "\(line.description) enables \(weak.joined(separator: ", "))")) }
                }
            }
            return config.verdict(.apache, drafts)
        },
        ConfigRule(.config(
            "config.apache.server-tokens", .low,
            vi: "Apache để lộ phiên bản (ServerTokens/ServerSignature)", en: "Apache discloses its version (ServerTokens/ServerSignature)",
            fixVi: "Đặt ServerTokens Prod và ServerSignature Off.", fixEn: "Set ServerTokens Prod and ServerSignature Off.",
            requirements: ["A06-07"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for apache in config.apache {
                let tokens = apache.global["servertokens"]?.last
                if !["prod", "productonly"].contains(tokens?.arguments.first?.lowercased() ?? "full") {
                    drafts.append(FindingDraft(subject: "\(apache.file) ServerTokens", evidence: tokens?.description ?? "ServerTokens is not set in \(apache.file) (default: Full)"))
                }
                if let signature = apache.global["serversignature"]?.last, signature.arguments.first?.lowercased() != "off" {
                    drafts.append(FindingDraft(subject: "\(apache.file) ServerSignature", evidence: signature.description))
                }
            }
            return config.verdict(.apache, drafts)
        },
        ConfigRule(.config(
            "config.apache.hsts-missing", .medium,
            vi: "Apache không gửi HSTS (thiếu Header Strict-Transport-Security)", en: "Apache sends no HSTS (Header Strict-Transport-Security missing)",
            fixVi: "Trong VirtualHost TLS: Header always set Strict-Transport-Security \"max-age=31536000; includeSubDomains\" (cần mod_headers).",
            fixEn: "In the TLS VirtualHost: Header always set Strict-Transport-Security \"max-age=31536000; includeSubDomains\" (needs mod_headers).",
            requirements: ["A06-07"], references: ["RFC 6797"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for apache in config.apache {
                for host in apache.virtualHosts where host.ssl {
                    let hsts = host.values("Header").contains { $0.lowerArguments.contains("strict-transport-security") }
                    if !hsts { drafts.append(FindingDraft(subject: vhostSubject(host), evidence: "No Header ... Strict-Transport-Security for the TLS virtual host at \(host.location)")) }
                }
            }
            return config.verdict(.apache, drafts)
        },
        ConfigRule(.config(
            "config.apache.directory-listing", .medium,
            vi: "Apache bật liệt kê thư mục (Options Indexes)", en: "Apache directory listing enabled (Options Indexes)",
            fixVi: "Dùng Options -Indexes (hoặc bỏ Indexes khỏi Options) ở mọi Directory/VirtualHost.",
            fixEn: "Use Options -Indexes (or drop Indexes from Options) in every Directory and VirtualHost.",
            requirements: []
        )) { config, _ in
            var drafts: [FindingDraft] = []
            func check(_ directives: [ConfigDirective], subject: String) {
                guard let options = directives.last else { return }
                if options.lowerArguments.contains(where: { $0 == "indexes" || $0 == "+indexes" || $0 == "all" }) {
                    drafts.append(FindingDraft(subject: subject, evidence: options.description))
                }
            }
            for apache in config.apache {
                check(apache.global["options"] ?? [], subject: "\(apache.file) Options")
                for host in apache.virtualHosts { check(host.directives["options"] ?? [], subject: vhostSubject(host) + " Options") }
                for section in apache.sections { check(section.directives["options"] ?? [], subject: "\(section.file) <\(section.type) \(section.argument)>") }
            }
            return config.verdict(.apache, drafts)
        },
    ]
}
