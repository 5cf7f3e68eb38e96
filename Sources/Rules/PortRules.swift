public import SansangCore

/// A built-in rule over port facts. Missing facts never pass: probe not run → not applicable,
/// probe failed → inconclusive. A scan cut short fails on what it saw and never passes.
public struct PortRule: Rule {
    public let meta: RuleMeta
    let judge: @Sendable (PortFacts, RuleSettings) -> [FindingDraft]

    public init(_ meta: RuleMeta, judge: @escaping @Sendable (PortFacts, RuleSettings) -> [FindingDraft]) {
        self.meta = meta
        self.judge = judge
    }

    public func evaluate(_ input: RuleInput) -> RuleVerdict {
        switch input.facts[PortFacts.self] {
        case nil: return .notApplicable
        case .failed(let failure): return .inconclusive(failure.reason)
        case .completed(let facts):
            let drafts = judge(facts, input.settings)
            if !drafts.isEmpty { return .fail(drafts) }
            if !facts.complete { return .inconclusive("\(facts.unscanned) of \(facts.requested) port(s) were not scanned before the time budget ran out") }
            return .pass
        }
    }
}

/// A built-in rule over the SSH facts of every SSH port the port probe found.
public struct SSHRule: Rule {
    public let meta: RuleMeta
    /// The offending algorithms (or the reason) for one SSH port; empty when the port is fine.
    let judge: @Sendable (SSHFacts) -> [String]
    let needsKexinit: Bool

    public func evaluate(_ input: RuleInput) -> RuleVerdict {
        switch input.facts[PortFacts.self] {
        case nil: return .notApplicable
        case .failed(let failure): return .inconclusive(failure.reason)
        case .completed(let facts):
            let sshPorts = facts.openPorts.filter { $0.service == "ssh" }
            if sshPorts.isEmpty { return .notApplicable }
            var drafts: [FindingDraft] = []
            var unknown: [String] = []
            for port in sshPorts {
                guard let ssh = port.ssh, !needsKexinit || ssh.hasKexinit else {
                    unknown.append("tcp/\(port.port): \(port.ssh?.kexinitError ?? "no SSH identification was read")")
                    continue
                }
                let bad = judge(ssh)
                if !bad.isEmpty {
                    drafts.append(FindingDraft(subject: "tcp/\(port.port)", evidence: "\(ssh.versionString.isEmpty ? "SSH" : ssh.versionString) on tcp/\(port.port) offers: \(bad.joined(separator: ", "))"))
                }
            }
            if !drafts.isEmpty { return .fail(drafts) }
            if !unknown.isEmpty { return .inconclusive(unknown.joined(separator: "; ")) }
            return .pass
        }
    }
}

/// Service families the exposure rules judge by. Names are those the port probe reports.
public enum ServiceFamily {
    public static let databases: Set<String> = [
        "mysql", "mysqlx", "postgresql", "mssql", "oracle-tns", "redis", "mongodb", "elasticsearch", "memcached",
        "couchdb", "cassandra", "neo4j", "influxdb", "db2", "firebird", "couchbase", "etcd",
    ]
    public static let remoteAdmin: Set<String> = [
        "ssh", "rdp", "vnc", "vnc-http", "winrm", "telnet", "rlogin", "rsh", "rexec", "webmin", "cpanel", "whm", "cockpit",
        "proxmox", "glassfish-admin", "wildfly-admin", "rabbitmq-admin", "activemq-admin", "kibana", "intel-amt",
        "teamviewer", "radmin",
    ]
    /// Web consoles: cleartext HTTP on them is its own finding.
    public static let webConsoles: Set<String> = [
        "webmin", "cpanel", "whm", "cockpit", "proxmox", "glassfish-admin", "wildfly-admin", "rabbitmq-admin", "activemq-admin", "kibana",
    ]
    /// Default exposure policy when none is given: a public web system exposes 80 and 443 only.
    public static let defaultAllowedPorts: Set<Int> = [80, 443]
}

extension RuleMeta {
    static func port(
        _ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String,
        requirements: [String], references: [String] = []
    ) -> RuleMeta {
        RuleMeta(
            id: id, severity: severity, title: Localized(vi: vi, en: en), remediation: Localized(vi: fixVi, en: fixEn),
            requirements: requirements, probe: "ports", references: references
        )
    }
}

/// The built-in exposure and SSH rules. Ids are stable forever.
public enum PortRules {
    public static var all: [any Rule] { exposure + ssh }

    static func describe(_ port: PortResult) -> String {
        var parts = ["tcp/\(port.port) open"]
        if let service = port.service {
            parts.append("service \(service)" + (port.identifiedBy == "port" ? " (by port number only)" : " (from its \(port.identifiedBy ?? "reply"))"))
        }
        if let product = port.product { parts.append([product, port.version].compactMap { $0 }.joined(separator: " ")) }
        if let banner = port.banner, !banner.isEmpty { parts.append("banner \"\(banner.prefix(80))\"") }
        return parts.joined(separator: "; ")
    }

    static func allowedNote(_ port: PortResult, _ settings: RuleSettings) -> String {
        settings.allowedPorts?.contains(port.port) == true ? " The exposure policy allows this port, but this service must not be reachable from outside the management zone." : ""
    }

    static func family(_ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String, requirements: [String], _ matches: @escaping @Sendable (PortResult) -> Bool) -> PortRule {
        PortRule(.port(id, severity, vi: vi, en: en, fixVi: fixVi, fixEn: fixEn, requirements: requirements)) { facts, settings in
            facts.openPorts.filter(matches).map { FindingDraft(subject: "tcp/\($0.port)", evidence: describe($0) + "." + allowedNote($0, settings)) }
        }
    }

    static let exposure: [any Rule] = [
        family(
            "port.exposed.database", .critical,
            vi: "Cổng cơ sở dữ liệu truy cập được từ bên ngoài", en: "Database port reachable from outside",
            fixVi: "Chặn cổng CSDL trên tường lửa biên và tường lửa máy chủ; CSDL chỉ lắng nghe trên mạng nội bộ vùng CSDL (bind-address/listen_addresses), chỉ cho phép máy chủ ứng dụng kết nối; bật xác thực và TLS cho CSDL.",
            fixEn: "Block the database port at the perimeter and host firewalls; make the database listen on the database-zone network only (bind-address/listen_addresses) and accept only the application servers; require authentication and TLS.",
            requirements: ["A05-01", "A05-12"]
        ) { ServiceFamily.databases.contains($0.service ?? "") },
        family(
            "port.exposed.remote-admin", .critical,
            vi: "Dịch vụ quản trị từ xa (SSH, RDP, VNC, WinRM, giao diện quản trị web) truy cập được từ bên ngoài",
            en: "Remote administration (SSH, RDP, VNC, WinRM, web console) reachable from outside",
            fixVi: "Chỉ cho phép truy cập quản trị từ vùng quản trị hoặc qua VPN có xác thực đa yếu tố; chặn các cổng này trên địa chỉ IP công khai tại tường lửa biên.",
            fixEn: "Allow administration only from the management zone or through a VPN with multi-factor authentication; block these ports on public addresses at the perimeter firewall.",
            requirements: ["A05-01", "A06-09"]
        ) { ServiceFamily.remoteAdmin.contains($0.service ?? "") },
        family(
            "port.cleartext.telnet", .critical,
            vi: "Telnet đang mở (quản trị không mã hóa)", en: "Telnet is open (cleartext administration)",
            fixVi: "Tắt dịch vụ Telnet (và rlogin/rsh/rexec); dùng SSH phiên bản 2 với xác thực bằng khóa, chỉ từ vùng quản trị.",
            fixEn: "Disable Telnet (and rlogin/rsh/rexec); use SSH version 2 with key authentication, from the management zone only.",
            requirements: ["A05-03", "A06-09"]
        ) { ["telnet", "rlogin", "rsh", "rexec"].contains($0.service ?? "") },
        PortRule(.port(
            "port.cleartext.ftp", .high,
            vi: "FTP đang mở (truyền tệp và mật khẩu không mã hóa)", en: "FTP is open (files and passwords in cleartext)",
            fixVi: "Thay FTP bằng SFTP; nếu buộc phải dùng FTP thì bắt buộc FTPS (AUTH TLS bắt buộc, không cho phép đăng nhập không mã hóa) và giới hạn nguồn truy cập.",
            fixEn: "Replace FTP with SFTP; where FTP must stay, require FTPS (mandatory AUTH TLS, no cleartext login) and restrict who may connect.",
            requirements: ["A05-03"]
        )) { facts, settings in
            facts.openPorts.filter { $0.service == "ftp" }.map { port in
                let tls = port.startTLS == true
                return FindingDraft(
                    subject: "tcp/\(port.port)",
                    evidence: describe(port) + (tls ? ". AUTH TLS is accepted, but nothing shows that cleartext login is refused." : port.startTLS == false ? ". AUTH TLS is refused: logins travel in cleartext." : ".") + allowedNote(port, settings),
                    severity: tls ? .medium : nil
                )
            }
        },
        family(
            "port.cleartext.http-admin", .high,
            vi: "Giao diện quản trị web chạy HTTP không mã hóa", en: "Web administration console over cleartext HTTP",
            fixVi: "Chỉ phục vụ giao diện quản trị qua HTTPS (TLS 1.2 trở lên), tách khỏi cổng dịch vụ công khai và chỉ cho phép truy cập từ vùng quản trị.",
            fixEn: "Serve the administration console over HTTPS only (TLS 1.2 or later), separate from the public service port, reachable from the management zone only.",
            requirements: ["A05-03", "A06-09"]
        ) { ServiceFamily.webConsoles.contains($0.service ?? "") && $0.tls != true && $0.identifiedBy == "probe" },
        PortRule(.port(
            "port.starttls.missing", .medium,
            vi: "Dịch vụ thư/thư mục không hỗ trợ STARTTLS (mật khẩu truyền không mã hóa)",
            en: "Mail or directory service without STARTTLS (credentials in cleartext)",
            fixVi: "Bật STARTTLS với chứng thư hợp lệ (Postfix: smtpd_tls_security_level; Dovecot: ssl = required; OpenLDAP: TLSCertificateFile, olcSecurity tls=1) hoặc dùng cổng TLS ngầm định (465, 993, 995, 636).",
            fixEn: "Enable STARTTLS with a valid certificate (Postfix: smtpd_tls_security_level; Dovecot: ssl = required; OpenLDAP: TLSCertificateFile, olcSecurity tls=1) or use the implicit-TLS ports (465, 993, 995, 636).",
            requirements: ["A05-03"]
        )) { facts, _ in
            facts.openPorts.filter { ["smtp", "imap", "pop3", "ldap"].contains($0.service ?? "") && $0.startTLS == false }.map {
                FindingDraft(subject: "tcp/\($0.port)", evidence: describe($0) + ". The STARTTLS upgrade was not offered or was refused.")
            }
        },
        family(
            "port.docker-api.exposed", .critical,
            vi: "Docker Engine API truy cập được qua mạng (chiếm quyền root máy chủ)", en: "Docker Engine API reachable over the network (root on the host)",
            fixVi: "Không mở Docker API qua TCP (bỏ -H tcp://… trong dockerd); nếu bắt buộc thì dùng TLS xác thực hai chiều (--tlsverify) trên cổng 2376 và chỉ cho phép từ vùng quản trị.",
            fixEn: "Do not expose the Docker API over TCP (remove -H tcp://… from dockerd); if it must be, use mutual TLS (--tlsverify) on 2376 and allow only the management zone.",
            requirements: ["A05-01", "A06-09"]
        ) { $0.service == "docker-api" },
        family(
            "port.kubernetes-api.exposed", .high,
            vi: "API Kubernetes/kubelet truy cập được từ bên ngoài", en: "Kubernetes API or kubelet reachable from outside",
            fixVi: "Chỉ cho phép truy cập API server và kubelet từ vùng quản trị/VPN; tắt truy cập ẩn danh (--anonymous-auth=false) và cổng chỉ đọc của kubelet (10255).",
            fixEn: "Allow the API server and kubelet only from the management zone or VPN; disable anonymous access (--anonymous-auth=false) and the kubelet read-only port (10255).",
            requirements: ["A05-01", "A06-09"]
        ) { ["kubernetes-api", "kubelet"].contains($0.service ?? "") },
        PortRule(.port(
            "port.exposed.unexpected", .high,
            vi: "Cổng mở ngoài danh sách được phép của hệ thống", en: "Open port outside the system's allowed list",
            fixVi: "Đóng dịch vụ không cần thiết hoặc chặn cổng trên tường lửa (chặn mặc định, chỉ mở 80→443 và 443 trên IP công khai); nếu cổng là cần thiết, khai báo trong chính sách phơi lộ của hệ thống (--allowed-ports).",
            fixEn: "Stop the unneeded service or block the port at the firewall (default deny; only 80→443 and 443 on public addresses); if the port is needed, declare it in the system's exposure policy (--allowed-ports).",
            requirements: ["A05-02", "A05-12"]
        )) { facts, settings in
            let allowed = settings.allowedPorts ?? ServiceFamily.defaultAllowedPorts
            let policy = settings.allowedPorts == nil ? "default policy 80, 443" : "allowed: " + (allowed.sorted().map(String.init).joined(separator: ", ").nonEmptyOr("none"))
            return facts.openPorts.filter { !allowed.contains($0.port) }.map {
                FindingDraft(subject: "tcp/\($0.port)", evidence: describe($0) + " (\(policy)).")
            }
        },
        PortRule(.port(
            "port.firewall.no-filtering", .low,
            vi: "Không thấy dấu hiệu tường lửa chặn mặc định (mọi cổng đóng đều trả lời RST)",
            en: "No sign of a default-deny firewall (every closed port answers with a reset)",
            fixVi: "Đặt chính sách chặn mặc định (drop) trên tường lửa biên và tường lửa máy chủ cho cả chiều vào và chiều ra; chỉ mở các cổng dịch vụ cần thiết.",
            fixEn: "Set a default-deny (drop) policy on the perimeter and host firewalls, inbound and outbound; open only the service ports that are needed.",
            requirements: ["A05-12"]
        )) { facts, _ in
            guard facts.requested >= 100, facts.counts.filtered == 0, facts.counts.closed >= 100 else { return [] }
            return [FindingDraft(subject: "filtering", evidence: "\(facts.counts.closed) of \(facts.requested) scanned ports answered with a TCP reset and none was silently dropped: nothing filters in front of \(facts.address).")]
        },
    ]

    // MARK: SSH (A06-08), judged like ssh-audit's modern policy

    static let weakKex: @Sendable (String) -> Bool = { name in
        name.hasSuffix("-sha1") || name.contains("sha1") || name == "diffie-hellman-group1-sha1" || name.hasPrefix("rsa1024")
    }
    static let cbc: @Sendable (String) -> Bool = { $0.hasSuffix("-cbc") || $0.contains("-cbc@") || $0 == "rijndael-cbc@lysator.liu.se" }
    static let brokenCipher: @Sendable (String) -> Bool = { name in
        name == "none" || name.hasPrefix("arcfour") || name.hasPrefix("des") || name.hasPrefix("3des") || name.hasPrefix("blowfish") || name.hasPrefix("cast128")
    }
    static let weakMAC: @Sendable (String) -> Bool = { name in
        name == "none" || name.hasPrefix("hmac-md5") || name.hasPrefix("hmac-sha1") || name.hasPrefix("umac-64") || name.hasPrefix("hmac-ripemd160")
    }

    static func sshRule(_ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String, needsKexinit: Bool = true, _ judge: @escaping @Sendable (SSHFacts) -> [String]) -> SSHRule {
        SSHRule(meta: .port(id, severity, vi: vi, en: en, fixVi: fixVi, fixEn: fixEn, requirements: ["A06-08"], references: ["RFC 9142", "RFC 8332", "RFC 4253"]), judge: judge, needsKexinit: needsKexinit)
    }

    static let ssh: [any Rule] = [
        sshRule(
            "ssh.protocol.v1", .critical, vi: "Máy chủ SSH còn hỗ trợ giao thức SSH phiên bản 1", en: "SSH server still supports protocol version 1",
            fixVi: "Chỉ cho phép SSH phiên bản 2 (OpenSSH ≥ 7.4 đã bỏ SSH-1; với bản cũ đặt Protocol 2) và nâng cấp OpenSSH.",
            fixEn: "Allow SSH protocol 2 only (OpenSSH 7.4 and later dropped SSH-1; on older versions set Protocol 2) and upgrade OpenSSH.",
            needsKexinit: false
        ) { ssh in ssh.protocolVersion.hasPrefix("1.") ? ["protocol \(ssh.protocolVersion)"] : [] },
        sshRule(
            "ssh.kex.sha1", .high, vi: "SSH cho phép trao đổi khóa dùng SHA-1 hoặc nhóm DH 1024 bit", en: "SSH offers SHA-1 or 1024-bit DH key exchange",
            fixVi: "Chỉ để KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256 trong sshd_config.",
            fixEn: "Set KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256 in sshd_config."
        ) { $0.kexAlgorithms.filter(weakKex) },
        sshRule(
            "ssh.cipher.cbc", .medium, vi: "SSH cho phép thuật toán mã hóa chế độ CBC", en: "SSH offers CBC-mode ciphers",
            fixVi: "Chỉ để Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr trong sshd_config.",
            fixEn: "Set Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr in sshd_config."
        ) { $0.ciphers.filter(cbc) },
        sshRule(
            "ssh.cipher.weak", .high, vi: "SSH cho phép thuật toán mã hóa yếu hoặc không mã hóa (none, RC4, DES, 3DES, Blowfish, CAST)", en: "SSH offers weak or no encryption (none, RC4, DES, 3DES, Blowfish, CAST)",
            fixVi: "Loại bỏ các thuật toán này khỏi Ciphers; chỉ dùng chacha20-poly1305, AES-GCM hoặc AES-CTR.",
            fixEn: "Remove these from Ciphers; use only chacha20-poly1305, AES-GCM or AES-CTR."
        ) { $0.ciphers.filter(brokenCipher) },
        sshRule(
            "ssh.mac.weak", .medium, vi: "SSH cho phép MAC yếu (MD5, SHA-1, thẻ 64 bit)", en: "SSH offers weak MACs (MD5, SHA-1, 64-bit tags)",
            fixVi: "Chỉ để MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,umac-128-etm@openssh.com trong sshd_config.",
            fixEn: "Set MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,umac-128-etm@openssh.com in sshd_config."
        ) { $0.macs.filter(weakMAC) },
        sshRule(
            "ssh.hostkey.ssh-rsa", .medium, vi: "SSH cho phép chữ ký khóa máy chủ ssh-rsa (SHA-1)", en: "SSH offers ssh-rsa (SHA-1) host-key signatures",
            fixVi: "Dùng khóa máy chủ Ed25519 hoặc RSA với rsa-sha2-512/rsa-sha2-256; đặt HostKeyAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256 (OpenSSH ≥ 8.8 mặc định đã bỏ ssh-rsa).",
            fixEn: "Use an Ed25519 host key, or RSA with rsa-sha2-512/rsa-sha2-256; set HostKeyAlgorithms ssh-ed25519,rsa-sha2-512,rsa-sha2-256 (OpenSSH 8.8 and later drop ssh-rsa by default)."
        ) { $0.hostKeyAlgorithms.filter { $0 == "ssh-rsa" || $0 == "ssh-rsa-cert-v01@openssh.com" } },
        sshRule(
            "ssh.hostkey.dsa", .high, vi: "SSH dùng khóa máy chủ DSA (ssh-dss)", en: "SSH offers DSA (ssh-dss) host keys",
            fixVi: "Xóa khóa máy chủ DSA (HostKey /etc/ssh/ssh_host_dsa_key) và dùng Ed25519 hoặc RSA ≥ 3072 bit.",
            fixEn: "Remove the DSA host key (HostKey /etc/ssh/ssh_host_dsa_key) and use Ed25519 or RSA of at least 3072 bits."
        ) { $0.hostKeyAlgorithms.filter { $0.hasPrefix("ssh-dss") } },
    ]
}

extension String {
    func nonEmptyOr(_ fallback: String) -> String { isEmpty ? fallback : self }
}
