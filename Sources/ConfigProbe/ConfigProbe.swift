import Foundation
public import SansangCore

/// The configuration probe: reads the files the inventory (or `--config-file`) names — nginx,
/// Apache httpd, sshd_config, with what they include — and the client certificate towards the
/// national platform. It opens no connection. Facts: `ConfigFacts` (key `config`). It runs on the
/// scan's `file://` endpoint only; a file that cannot be read or parsed is recorded as an issue
/// (judged by `config.parse-error`), never a failure of the scan.
public struct ConfigProbe: Probe {
    public static let id = "config"

    /// Reads certificate and key files (OpenSSL lives in TLSProbe; the engine passes
    /// `CertificateFileInspector.inspect`, so probes do not import each other).
    public typealias CertificateInspector = @Sendable (ClientCertificateSpec) -> ClientCertificateFacts

    let inspectCertificate: CertificateInspector?

    public init(inspectCertificate: CertificateInspector?) {
        self.inspectCertificate = inspectCertificate
    }

    public func gather(_ endpoint: Endpoint, _ context: ProbeContext, into facts: inout FactSet) async {
        guard !context.configFiles.isEmpty || context.clientCertificate != nil else {
            facts.record(ProbeAttempt<ConfigFacts>.failed(ProbeFailure(kind: "error", reason: "no configuration files or client certificate were given")))
            return
        }
        var config = Self.read(context.configFiles)
        if let spec = context.clientCertificate {
            config.clientCertificate = inspectCertificate?(spec) ?? ClientCertificateFacts(certPath: spec.cert, keyPath: spec.key, caPath: spec.ca, certificateError: "no certificate reader available")
        }
        facts.record(ProbeAttempt<ConfigFacts>.completed(config))
    }

    /// Parses each listed file by its kind.
    public static func read(_ specs: [String]) -> ConfigFacts {
        var config = ConfigFacts()
        for spec in specs {
            let (kind, path) = kindAndPath(spec)
            switch kind {
            case .nginx:
                let result = NginxParser.parse(path: path)
                config.nginx += result.servers
                config.files += result.files
                config.errors += result.issues
            case .apache:
                let result = ApacheParser.parse(path: path)
                if let parsed = result.config { config.apache.append(parsed) }
                config.files += result.files
                config.errors += result.issues
            case .sshd:
                let result = SSHDParser.parse(path: path)
                if let parsed = result.config { config.sshd.append(parsed) }
                config.files += result.files
                config.errors += result.issues
            }
        }
        return config
    }

    /// `nginx:PATH`, `apache:PATH`, `sshd:PATH`, or a path whose kind is guessed from its name,
    /// then from its first lines.
    public static func kindAndPath(_ spec: String) -> (ConfigKind, String) {
        for kind in ConfigKind.allCases where spec.hasPrefix(kind.rawValue + ":") {
            return (kind, String(spec.dropFirst(kind.rawValue.count + 1)))
        }
        let name = URL(fileURLWithPath: spec).lastPathComponent.lowercased()
        if name.contains("sshd") { return (.sshd, spec) }
        if name.contains("httpd") || name.contains("apache") { return (.apache, spec) }
        if name.contains("nginx") { return (.nginx, spec) }
        if let handle = FileHandle(forReadingAtPath: spec) {
            defer { try? handle.close() }
            let head = String(decoding: (try? handle.read(upToCount: 16 << 10)) ?? Data(), as: UTF8.self)
            if head.range(of: "<VirtualHost", options: .caseInsensitive) != nil || head.range(of: "ServerRoot") != nil || head.range(of: "LoadModule") != nil { return (.apache, spec) }
            if head.contains("{") { return (.nginx, spec) }
            let sshKeywords = ["PermitRootLogin", "PasswordAuthentication", "ListenAddress", "Subsystem", "HostKey", "ChallengeResponseAuthentication", "UsePAM"]
            if sshKeywords.contains(where: { head.contains($0) }) { return (.sshd, spec) }
        }
        return (.nginx, spec)
    }
}
