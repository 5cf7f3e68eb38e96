public import Foundation

/// What the configuration probe read from a system's files: nginx servers and locations with the
/// directives in effect after inheritance, Apache virtual hosts, sshd settings with their Match
/// blocks, the client certificate used towards the national platform, and every file that could
/// not be read or parsed. Each directive keeps the file and line it came from. Facts only; the
/// `config.*` and `cert.client.*` rules judge them.
public struct ConfigFacts: Facts {
    public static let key = "config"

    /// Every file read (the listed ones and what they include), in reading order.
    public var files: [ConfigFileFacts]
    public var nginx: [NginxServerFacts]
    public var apache: [ApacheConfigFacts]
    public var sshd: [SSHDConfigFacts]
    /// Files that could not be read or parsed, each with file:line.
    public var errors: [ConfigIssue]
    /// The client certificate and key used to call the national platform, when given.
    public var clientCertificate: ClientCertificateFacts?

    public init(
        files: [ConfigFileFacts] = [], nginx: [NginxServerFacts] = [], apache: [ApacheConfigFacts] = [],
        sshd: [SSHDConfigFacts] = [], errors: [ConfigIssue] = [], clientCertificate: ClientCertificateFacts? = nil
    ) {
        self.files = files
        self.nginx = nginx
        self.apache = apache
        self.sshd = sshd
        self.errors = errors
        self.clientCertificate = clientCertificate
    }

    /// Errors in files of one kind (`nginx`, `apache`, `sshd`).
    public func errors(kind: ConfigKind) -> [ConfigIssue] { errors.filter { $0.kind == kind } }

    /// Whether any file of this kind was given (read or not).
    public func has(_ kind: ConfigKind) -> Bool { files.contains { $0.kind == kind } || errors.contains { $0.kind == kind } }
}

/// The configuration dialects the probe parses.
public enum ConfigKind: String, Codable, Sendable, CaseIterable {
    case nginx, apache, sshd
}

/// One file the probe read.
public struct ConfigFileFacts: Codable, Sendable, Hashable {
    public var path: String
    public var kind: ConfigKind
    /// The file that included this one, nil for a listed file.
    public var includedFrom: String?
    public var lines: Int

    public init(path: String, kind: ConfigKind, includedFrom: String? = nil, lines: Int) {
        self.path = path
        self.kind = kind
        self.includedFrom = includedFrom
        self.lines = lines
    }
}

/// A file that could not be read, or a syntax error at file:line.
public struct ConfigIssue: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    public var kind: ConfigKind
    public var file: String
    /// 0 when the whole file is concerned (unreadable, too large).
    public var line: Int
    public var message: String

    public init(kind: ConfigKind, file: String, line: Int, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// One directive as written: name, arguments (quotes removed), and where.
public struct ConfigDirective: Codable, Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var arguments: [String]
    public var file: String
    public var line: Int

    public init(name: String, arguments: [String], file: String, line: Int) {
        self.name = name
        self.arguments = arguments
        self.file = file
        self.line = line
    }

    public var location: String { "\(file):\(line)" }
    public var value: String { arguments.joined(separator: " ") }
    public var description: String { "\(location): \(name) \(value)" }
}

/// An nginx `server` block with the directives in effect (main → http → server; a level that sets
/// a directive replaces what it would inherit, as nginx does for `add_header`, `allow`/`deny`,
/// `limit_req`), and its locations.
public struct NginxServerFacts: Codable, Sendable, Hashable {
    public var file: String
    public var line: Int
    public var listen: [String]
    public var serverNames: [String]
    /// Listens with `ssl` (or `ssl on`).
    public var ssl: Bool
    /// Listens only on loopback or a unix socket.
    public var loopbackOnly: Bool
    /// Marked `# sansang: integration` in the block, or named like an integration endpoint.
    public var integration: Bool
    /// Effective directives by name; each keeps the file:line where it was written.
    public var directives: [String: [ConfigDirective]]
    public var locations: [NginxLocationFacts]

    public init(
        file: String, line: Int, listen: [String], serverNames: [String], ssl: Bool, loopbackOnly: Bool, integration: Bool,
        directives: [String: [ConfigDirective]], locations: [NginxLocationFacts]
    ) {
        self.file = file
        self.line = line
        self.listen = listen
        self.serverNames = serverNames
        self.ssl = ssl
        self.loopbackOnly = loopbackOnly
        self.integration = integration
        self.directives = directives
        self.locations = locations
    }

    public var location: String { "\(file):\(line)" }
    /// `server_name` or the first `listen`, for subjects and messages.
    public var label: String { serverNames.first ?? listen.first ?? "server" }
    public func values(_ name: String) -> [ConfigDirective] { directives[name] ?? [] }
}

/// An nginx `location` (nested ones flattened, their matches joined by " > ") with its effective directives.
public struct NginxLocationFacts: Codable, Sendable, Hashable {
    public var match: String
    public var file: String
    public var line: Int
    public var directives: [String: [ConfigDirective]]

    public init(match: String, file: String, line: Int, directives: [String: [ConfigDirective]]) {
        self.match = match
        self.file = file
        self.line = line
        self.directives = directives
    }

    public var location: String { "\(file):\(line)" }
    public func values(_ name: String) -> [ConfigDirective] { directives[name] ?? [] }
}

/// An Apache httpd configuration: server-wide directives and each `<VirtualHost>` with what is in
/// effect there (names lower-cased; a directive set in the virtual host replaces the server-wide one).
public struct ApacheConfigFacts: Codable, Sendable, Hashable {
    public var file: String
    public var global: [String: [ConfigDirective]]
    public var virtualHosts: [ApacheVirtualHostFacts]
    /// `<Directory>` and `<Location>` sections: their `Options`, `Require`, `Allow`/`Deny`.
    public var sections: [ApacheSectionFacts]

    public init(file: String, global: [String: [ConfigDirective]], virtualHosts: [ApacheVirtualHostFacts], sections: [ApacheSectionFacts]) {
        self.file = file
        self.global = global
        self.virtualHosts = virtualHosts
        self.sections = sections
    }
}

public struct ApacheVirtualHostFacts: Codable, Sendable, Hashable {
    public var address: String
    public var file: String
    public var line: Int
    public var directives: [String: [ConfigDirective]]

    public init(address: String, file: String, line: Int, directives: [String: [ConfigDirective]]) {
        self.address = address
        self.file = file
        self.line = line
        self.directives = directives
    }

    public var location: String { "\(file):\(line)" }
    public func values(_ name: String) -> [ConfigDirective] { directives[name.lowercased()] ?? [] }
    public var ssl: Bool { values("sslengine").last?.arguments.first?.lowercased() == "on" }
}

public struct ApacheSectionFacts: Codable, Sendable, Hashable {
    /// `directory`, `location`, `files`, … (lower-cased).
    public var type: String
    public var argument: String
    public var file: String
    public var line: Int
    public var directives: [String: [ConfigDirective]]

    public init(type: String, argument: String, file: String, line: Int, directives: [String: [ConfigDirective]]) {
        self.type = type
        self.argument = argument
        self.file = file
        self.line = line
        self.directives = directives
    }

    public var location: String { "\(file):\(line)" }
}

/// An sshd_config: the global settings (first value wins, as sshd reads it; keys lower-cased) and
/// each `Match` block with what it overrides.
public struct SSHDConfigFacts: Codable, Sendable, Hashable {
    public var file: String
    public var settings: [String: ConfigDirective]
    public var matches: [SSHDMatchFacts]

    public init(file: String, settings: [String: ConfigDirective], matches: [SSHDMatchFacts]) {
        self.file = file
        self.settings = settings
        self.matches = matches
    }

    public func setting(_ name: String) -> ConfigDirective? { settings[name.lowercased()] }
}

public struct SSHDMatchFacts: Codable, Sendable, Hashable {
    public var criteria: String
    public var file: String
    public var line: Int
    public var settings: [String: ConfigDirective]

    public init(criteria: String, file: String, line: Int, settings: [String: ConfigDirective]) {
        self.criteria = criteria
        self.file = file
        self.line = line
        self.settings = settings
    }

    public func setting(_ name: String) -> ConfigDirective? { settings[name.lowercased()] }
}

/// Where the client certificate, its key and the expected CA are (inventory `clientCertificate`).
public struct ClientCertificateSpec: Codable, Sendable, Hashable {
    public var cert: String
    public var key: String?
    public var ca: String?

    public init(cert: String, key: String? = nil, ca: String? = nil) {
        self.cert = cert
        self.key = key
        self.ca = ca
    }
}

/// What was read from the client certificate files.
public struct ClientCertificateFacts: Codable, Sendable, Hashable {
    public var certPath: String
    public var keyPath: String?
    public var caPath: String?
    /// The first certificate of the file; nil when it could not be read (`certificateError`).
    public var certificate: CertificateSummary?
    public var certificateError: String?
    /// Whether the certificate carries an extendedKeyUsage extension at all.
    public var extendedKeyUsagePresent: Bool
    /// Certificates after the first in the same file (the chain sent with it).
    public var chain: [CertificateSummary]
    public var keyType: String?
    public var keyBits: Int?
    public var keyError: String?
    /// The private key belongs to the certificate; nil when either could not be read.
    public var keyMatches: Bool?
    /// Verified against the CA file alone (purpose sslclient, time not checked); nil without a CA file.
    public var trusted: Bool?
    public var verifyError: String?
    /// Permission bits of the key file, octal (`0600`).
    public var keyFileMode: String?
    public var keyFileOwner: Int?

    public init(
        certPath: String, keyPath: String? = nil, caPath: String? = nil, certificate: CertificateSummary? = nil,
        certificateError: String? = nil, extendedKeyUsagePresent: Bool = false, chain: [CertificateSummary] = [],
        keyType: String? = nil, keyBits: Int? = nil, keyError: String? = nil, keyMatches: Bool? = nil,
        trusted: Bool? = nil, verifyError: String? = nil, keyFileMode: String? = nil, keyFileOwner: Int? = nil
    ) {
        self.certPath = certPath
        self.keyPath = keyPath
        self.caPath = caPath
        self.certificate = certificate
        self.certificateError = certificateError
        self.extendedKeyUsagePresent = extendedKeyUsagePresent
        self.chain = chain
        self.keyType = keyType
        self.keyBits = keyBits
        self.keyError = keyError
        self.keyMatches = keyMatches
        self.trusted = trusted
        self.verifyError = verifyError
        self.keyFileMode = keyFileMode
        self.keyFileOwner = keyFileOwner
    }
}
