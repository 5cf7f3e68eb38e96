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
