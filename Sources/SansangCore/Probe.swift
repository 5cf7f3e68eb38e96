/// Settings every probe receives: timeouts, politeness, and where certificates are trusted from.
public struct ProbeContext: Sendable {
    /// Timeout for one connection, from connect to the last byte read.
    public var connectionTimeout: Duration
    /// Deadline for the whole probe of one endpoint.
    public var endpointTimeout: Duration
    /// At most this many simultaneous connections to one host.
    public var maxConnectionsPerHost: Int
    /// At most this many simultaneous connections overall.
    public var maxConnections: Int
    /// Extra CA certificates (PEM) trusted besides the system store.
    public var caFile: String?
    /// Pause between two connections to the same host, for fragile production servers.
    public var delayBetweenConnections: Duration
    /// Ports the port probe scans: `top-100`, `top-1000`, `all`, `1-1024`, `22,80,443`.
    public var ports: String = "top-100"
    /// New port-scan connections per second to one host; 0 = no limit (labs only).
    public var portConnectRate: Int = 100
    /// New port-scan connections per second over all hosts; 0 = no limit.
    public var portConnectRateOverall: Int = 400
    /// Port-scan connection attempts in flight at once to one host.
    public var portConcurrency: Int = 64
    /// What may be scanned; nil when no scope was given. Probes refuse addresses outside it.
    public var scope: Scope?
    /// Verify server certificates on HTTP requests (`--insecure` turns it off, for internal CAs without `--ca-file`).
    public var verifyTLS: Bool = true
    /// At most this many HTTP requests to one endpoint (the HTTP probe's politeness cap).
    public var maxRequestsPerEndpoint: Int = 60
    /// The exposed-path check file; nil looks for `Checks/http/exposed-paths.json` near the working directory and the executable.
    public var httpPathsFile: String?
    /// Configuration files the config probe reads: a path (kind guessed from name and content) or
    /// `nginx:PATH`, `apache:PATH`, `sshd:PATH`.
    public var configFiles: [String] = []
    /// The client certificate (and key, expected CA) used towards the national platform.
    public var clientCertificate: ClientCertificateSpec?

    public init(
        connectionTimeout: Duration = .seconds(5),
        endpointTimeout: Duration = .seconds(60),
        maxConnectionsPerHost: Int = 5,
        maxConnections: Int = 32,
        caFile: String? = nil,
        delayBetweenConnections: Duration = .zero
    ) {
        self.connectionTimeout = connectionTimeout
        self.endpointTimeout = endpointTimeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxConnections = maxConnections
        self.caFile = caFile
        self.delayBetweenConnections = delayBetweenConnections
    }
}

/// A plugin that gathers facts about an endpoint and judges nothing. A probe never throws:
/// what went wrong is recorded as a failure fact.
public protocol Probe: Sendable {
    /// The facts key (`tls`, `http`, …) this probe fills.
    static var id: String { get }
    /// Gathers facts about `endpoint` and records them (or why there are none) into `facts`.
    func gather(_ endpoint: Endpoint, _ context: ProbeContext, into facts: inout FactSet) async
}
