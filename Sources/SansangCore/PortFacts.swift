public import Foundation

/// What a TCP connect scan saw on one port.
public enum PortState: String, Codable, Sendable, CaseIterable {
    /// The handshake completed: something listens.
    case open
    /// The host answered with a reset (ECONNREFUSED): nothing listens, nothing filters.
    case closed
    /// No answer before the timeout, or an ICMP unreachable: a firewall drops or rejects.
    case filtered
}

/// The SSH server's identification line and the algorithm lists of its KEXINIT (RFC 4253 §7.1).
public struct SSHFacts: Codable, Sendable, Hashable {
    /// The identification line as sent, without CR LF (`SSH-2.0-OpenSSH_7.4`).
    public var versionString: String
    /// The protocol version in that line (`2.0`, `1.99`, `1.5`).
    public var protocolVersion: String
    /// The software part (`OpenSSH_7.4`).
    public var software: String
    public var kexAlgorithms: [String]
    public var hostKeyAlgorithms: [String]
    /// Client-to-server and server-to-client lists merged, in the server's order, without repeats.
    public var ciphers: [String]
    public var macs: [String]
    public var compression: [String]
    /// Why the KEXINIT is missing when only the identification line was seen.
    public var kexinitError: String?

    public init(
        versionString: String, protocolVersion: String, software: String, kexAlgorithms: [String] = [],
        hostKeyAlgorithms: [String] = [], ciphers: [String] = [], macs: [String] = [], compression: [String] = [],
        kexinitError: String? = nil
    ) {
        self.versionString = versionString
        self.protocolVersion = protocolVersion
        self.software = software
        self.kexAlgorithms = kexAlgorithms
        self.hostKeyAlgorithms = hostKeyAlgorithms
        self.ciphers = ciphers
        self.macs = macs
        self.compression = compression
        self.kexinitError = kexinitError
    }

    /// True when the KEXINIT was read and parsed.
    public var hasKexinit: Bool { kexinitError == nil }
}

/// One scanned port: its state, how long the answer took, and for open ports what answers there.
public struct PortResult: Codable, Sendable, Hashable {
    public var port: Int
    public var state: PortState
    /// Time from connect() to the answer (or to the timeout, for filtered ports).
    public var milliseconds: Int
    /// The service, as a stable lower-case name (`ssh`, `mysql`, `http`, `docker-api`), when known.
    public var service: String?
    /// How `service` was decided: `banner` (the server spoke first), `probe` (it answered one of ours), `port` (number only).
    public var identifiedBy: String?
    public var product: String?
    public var version: String?
    /// The first bytes the service sent, printable (control bytes as `\xNN`), at most 200 characters.
    public var banner: String?
    /// The port speaks TLS directly (a TLS reply to our ClientHello); nil when not tried.
    public var tls: Bool?
    /// The service offered and accepted an upgrade to TLS (SMTP, IMAP, POP3, FTP, LDAP, PostgreSQL; MySQL's SSL flag); nil when not tried.
    public var startTLS: Bool?
    public var ssh: SSHFacts?
    /// What went wrong while identifying the service (the port stays open).
    public var notes: [String]

    public init(
        port: Int, state: PortState, milliseconds: Int, service: String? = nil, identifiedBy: String? = nil,
        product: String? = nil, version: String? = nil, banner: String? = nil, tls: Bool? = nil, startTLS: Bool? = nil,
        ssh: SSHFacts? = nil, notes: [String] = []
    ) {
        self.port = port
        self.state = state
        self.milliseconds = milliseconds
        self.service = service
        self.identifiedBy = identifiedBy
        self.product = product
        self.version = version
        self.banner = banner
        self.tls = tls
        self.startTLS = startTLS
        self.ssh = ssh
        self.notes = notes
    }
}

/// Port counts by state.
public struct PortCounts: Codable, Sendable, Hashable {
    public var open = 0
    public var closed = 0
    public var filtered = 0

    public init(open: Int = 0, closed: Int = 0, filtered: Int = 0) {
        self.open = open
        self.closed = closed
        self.filtered = filtered
    }
}

/// The port probe's facts about one host: the port list asked for, every open port with what
/// answers there, and counts of closed and filtered ports. Judges nothing.
public struct PortFacts: Facts {
    public static let key = "ports"

    /// The port list as given (`top-100`, `1-1024`, `22,80,443`, `all`).
    public var spec: String
    /// The address actually scanned (a name resolves to several; the first is scanned).
    public var address: String
    /// Ports asked for.
    public var requested: Int
    /// Ports not scanned because the endpoint's time budget ran out (0 = the scan is complete).
    public var unscanned: Int
    public var counts: PortCounts
    /// Open ports always; closed and filtered ports too when `listsEveryPort` (scans of at most 1024 ports).
    public var ports: [PortResult]
    public var listsEveryPort: Bool
    public var connections: Int
    /// The whole probe: connect scan and service identification.
    public var durationMilliseconds: Int
    /// The connect scan alone (what `nmap -sT` without `-sV` measures).
    public var scanMilliseconds: Int = 0
    public var notes: [String]

    public init(
        spec: String, address: String, requested: Int, unscanned: Int = 0, counts: PortCounts = PortCounts(),
        ports: [PortResult] = [], listsEveryPort: Bool = true, connections: Int = 0, durationMilliseconds: Int = 0,
        notes: [String] = []
    ) {
        self.spec = spec
        self.address = address
        self.requested = requested
        self.unscanned = unscanned
        self.counts = counts
        self.ports = ports
        self.listsEveryPort = listsEveryPort
        self.connections = connections
        self.durationMilliseconds = durationMilliseconds
        self.notes = notes
    }

    public var openPorts: [PortResult] { ports.filter { $0.state == .open } }
    public var complete: Bool { unscanned == 0 }
}
