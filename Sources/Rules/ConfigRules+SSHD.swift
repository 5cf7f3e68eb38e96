public import SansangCore
import Foundation

extension ConfigRules {
    /// A global setting or its default, with where it came from, and every Match block that overrides it.
    static func sshdValue(_ sshd: SSHDConfigFacts, _ name: String, default fallback: String) -> (value: String, evidence: String, overrides: [(SSHDMatchFacts, ConfigDirective)]) {
        let global = sshd.setting(name)
        let value = global?.arguments.first?.lowercased() ?? fallback
        let evidence = global?.description ?? "\(name) is not set in \(sshd.file) (default: \(fallback))"
        let overrides = sshd.matches.compactMap { match in match.setting(name).map { (match, $0) } }
        return (value, evidence, overrides)
    }

    static func sshdSubject(_ sshd: SSHDConfigFacts, _ keyword: String, match: SSHDMatchFacts? = nil) -> String {
        match.map { "\(sshd.file) Match \($0.criteria) \(keyword)" } ?? "\(sshd.file) \(keyword)"
    }

    /// Algorithms considered weak (SHA-1, CBC, MD5, 64-bit MACs, small groups).
    static let weakSSHAlgorithms: [String: [String]] = [
        "Ciphers": ["3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "blowfish-cbc", "cast128-cbc", "arcfour", "arcfour128", "arcfour256", "rijndael-cbc@lysator.liu.se"],
        "MACs": ["hmac-md5", "hmac-md5-96", "hmac-md5-etm@openssh.com", "hmac-md5-96-etm@openssh.com", "hmac-sha1", "hmac-sha1-96", "hmac-sha1-etm@openssh.com", "hmac-sha1-96-etm@openssh.com", "umac-64@openssh.com", "umac-64-etm@openssh.com", "hmac-ripemd160", "hmac-ripemd160@openssh.com"],
        "KexAlgorithms": ["diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1", "gss-gex-sha1-", "gss-group1-sha1-", "gss-group14-sha1-"],
        "HostKeyAlgorithms": ["ssh-dss", "ssh-rsa", "ssh-dss-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com"],
        "PubkeyAcceptedAlgorithms": ["ssh-dss", "ssh-rsa", "ssh-dss-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com"],
    ]

    static let sshdRules: [ConfigRule] = [
        ConfigRule(.config(
            "config.sshd.permit-root-login", .high,
            vi: "SSH cho phép đăng nhập trực tiếp bằng root (PermitRootLogin)", en: "SSH allows direct root login (PermitRootLogin)",
            fixVi: "Đặt PermitRootLogin no; quản trị bằng tài khoản cá nhân rồi sudo. Kiểm tra cả các khối Match.",
            fixEn: "Set PermitRootLogin no; administer through personal accounts and sudo. Check the Match blocks too.",
            requirements: ["A06-08", "A05-19"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for sshd in config.sshd {
                let (value, evidence, overrides) = sshdValue(sshd, "PermitRootLogin", default: "prohibit-password")
                if value != "no" {
                    drafts.append(FindingDraft(subject: sshdSubject(sshd, "PermitRootLogin"), evidence: evidence, severity: value == "yes" ? nil : .medium))
                }
                for (match, directive) in overrides where directive.arguments.first?.lowercased() != "no" {
                    drafts.append(FindingDraft(subject: sshdSubject(sshd, "PermitRootLogin", match: match), evidence: "\(directive.description) inside Match \(match.criteria) (\(match.file):\(match.line))"))
                }
            }
            return config.verdict(.sshd, drafts)
        },
        ConfigRule(.config(
            "config.sshd.password-auth", .high,
            vi: "SSH cho phép xác thực bằng mật khẩu (PasswordAuthentication)", en: "SSH allows password authentication (PasswordAuthentication)",
            fixVi: "Đặt PasswordAuthentication no và KbdInteractiveAuthentication no; chỉ dùng khóa (và MFA nếu có). Kiểm tra cả các khối Match.",
            fixEn: "Set PasswordAuthentication no and KbdInteractiveAuthentication no; use keys only (plus MFA where available). Check the Match blocks too.",
            requirements: ["A06-08"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for sshd in config.sshd {
                let (value, evidence, overrides) = sshdValue(sshd, "PasswordAuthentication", default: "yes")
                if value != "no" { drafts.append(FindingDraft(subject: sshdSubject(sshd, "PasswordAuthentication"), evidence: evidence)) }
                for (match, directive) in overrides where directive.arguments.first?.lowercased() != "no" {
                    drafts.append(FindingDraft(subject: sshdSubject(sshd, "PasswordAuthentication", match: match), evidence: "\(directive.description) inside Match \(match.criteria) (\(match.file):\(match.line))"))
                }
                let keyboard = sshd.setting("KbdInteractiveAuthentication") ?? sshd.setting("ChallengeResponseAuthentication")
                if let keyboard, keyboard.arguments.first?.lowercased() == "yes", sshd.setting("UsePAM")?.arguments.first?.lowercased() == "yes" {
                    drafts.append(FindingDraft(subject: sshdSubject(sshd, keyboard.name), evidence: "\(keyboard.description) with UsePAM yes lets PAM ask for a password"))
                }
            }
            return config.verdict(.sshd, drafts)
        },
        ConfigRule(.config(
            "config.sshd.empty-passwords", .critical,
            vi: "SSH cho phép mật khẩu rỗng (PermitEmptyPasswords yes)", en: "SSH allows empty passwords (PermitEmptyPasswords yes)",
            fixVi: "Đặt PermitEmptyPasswords no.", fixEn: "Set PermitEmptyPasswords no.", requirements: ["A06-08"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for sshd in config.sshd {
                let (value, evidence, overrides) = sshdValue(sshd, "PermitEmptyPasswords", default: "no")
                if value == "yes" { drafts.append(FindingDraft(subject: sshdSubject(sshd, "PermitEmptyPasswords"), evidence: evidence)) }
                for (match, directive) in overrides where directive.arguments.first?.lowercased() == "yes" {
                    drafts.append(FindingDraft(subject: sshdSubject(sshd, "PermitEmptyPasswords", match: match), evidence: "\(directive.description) inside Match \(match.criteria)"))
                }
            }
            return config.verdict(.sshd, drafts)
        },
        ConfigRule(.config(
            "config.sshd.weak-algorithms", .high,
            vi: "SSH cho phép thuật toán yếu (Ciphers/MACs/KexAlgorithms: CBC, SHA-1, MD5)", en: "SSH allows weak algorithms (Ciphers/MACs/KexAlgorithms: CBC, SHA-1, MD5)",
            fixVi: "Chỉ giữ Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr; MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com; KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512.",
            fixEn: "Keep only Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes128-ctr; MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com; KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512.",
            requirements: ["A06-08"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for sshd in config.sshd {
                for keyword in ["Ciphers", "MACs", "KexAlgorithms", "HostKeyAlgorithms", "PubkeyAcceptedAlgorithms"] {
                    guard let directive = sshd.setting(keyword), let list = directive.arguments.first else { continue }
                    guard !list.hasPrefix("-") else { continue }  // removing from the defaults adds nothing weak
                    let names = list.trimmingCharacters(in: CharacterSet(charactersIn: "+^")).split(separator: ",").map { $0.lowercased() }
                    let weakList = weakSSHAlgorithms[keyword] ?? []
                    let weak = names.filter { name in weakList.contains { name == $0 || ($0.hasSuffix("-") && name.hasPrefix($0)) } }
                    if !weak.isEmpty {
                        drafts.append(FindingDraft(subject: sshdSubject(sshd, keyword), evidence: "\(directive.location): \(keyword) enables \(weak.joined(separator: ", "))"))
                    }
                }
                if let protocolLine = sshd.setting("Protocol"), protocolLine.value.contains("1") {
                    drafts.append(FindingDraft(subject: sshdSubject(sshd, "Protocol"), evidence: "\(protocolLine.description): SSH protocol 1", severity: .critical))
                }
            }
            return config.verdict(.sshd, drafts)
        },
        ConfigRule(.config(
            "config.sshd.client-alive", .medium,
            vi: "Phiên SSH không tự ngắt khi không hoạt động (ClientAliveInterval)", en: "Idle SSH sessions are not timed out (ClientAliveInterval)",
            fixVi: "Đặt ClientAliveInterval 300 và ClientAliveCountMax 0 hoặc 1 (phiên quản trị tự hết sau ≤ 5 phút không hoạt động).",
            fixEn: "Set ClientAliveInterval 300 and ClientAliveCountMax 0 or 1 (admin sessions end after at most 5 idle minutes).",
            requirements: ["A06-08"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for sshd in config.sshd {
                let (value, evidence, _) = sshdValue(sshd, "ClientAliveInterval", default: "0")
                let seconds = Int(value.trimmingCharacters(in: CharacterSet.letters)) ?? 0
                let unit = value.last.map { "smhdw".contains($0) ? $0 : "s" } ?? "s"
                let multiplier = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800][String(unit)] ?? 1
                let interval = seconds * multiplier
                if interval == 0 {
                    drafts.append(FindingDraft(subject: sshdSubject(sshd, "ClientAliveInterval"), evidence: evidence + "; idle sessions never time out"))
                } else if interval > 300 {
                    drafts.append(FindingDraft(subject: sshdSubject(sshd, "ClientAliveInterval"), evidence: evidence + "; \(interval) s is longer than 300 s"))
                }
            }
            return config.verdict(.sshd, drafts)
        },
        ConfigRule(.config(
            "config.sshd.max-auth-tries", .medium,
            vi: "SSH cho phép quá nhiều lần thử xác thực (MaxAuthTries > 4)", en: "SSH allows too many authentication attempts (MaxAuthTries over 4)",
            fixVi: "Đặt MaxAuthTries 4 (hoặc nhỏ hơn) và dùng fail2ban/tường lửa để chặn dò mật khẩu.",
            fixEn: "Set MaxAuthTries 4 (or lower) and block brute force with fail2ban or the firewall.",
            requirements: ["A06-08", "A05-19"], references: ["CIS OpenSSH: MaxAuthTries 4 or less"]
        )) { config, _ in
            var drafts: [FindingDraft] = []
            for sshd in config.sshd {
                let (value, evidence, overrides) = sshdValue(sshd, "MaxAuthTries", default: "6")
                if (Int(value) ?? 6) > 4 { drafts.append(FindingDraft(subject: sshdSubject(sshd, "MaxAuthTries"), evidence: evidence)) }
                for (match, directive) in overrides where (Int(directive.arguments.first ?? "") ?? 6) > 4 {
                    drafts.append(FindingDraft(subject: sshdSubject(sshd, "MaxAuthTries", match: match), evidence: "\(directive.description) inside Match \(match.criteria)"))
                }
            }
            return config.verdict(.sshd, drafts)
        },
    ]
}
