public import SansangCore

/// Caps simultaneous connections per host and overall, and spaces connections to one host.
/// Shared by every probe of a scan, so politeness holds across endpoints and probes.
public actor ConnectionLimiter {
    public let perHost: Int
    public let overall: Int
    public let spacing: Duration
    private var active: [String: Int] = [:]
    private var total = 0
    private var lastStart: [String: ContinuousClock.Instant] = [:]
    private var waiters: [(host: String, continuation: CheckedContinuation<Void, Never>)] = []
    /// Connections opened so far, per host.
    public private(set) var opened: [String: Int] = [:]

    public init(perHost: Int, overall: Int, spacing: Duration = .zero) {
        self.perHost = max(1, perHost)
        self.overall = max(1, overall)
        self.spacing = spacing
    }

    public init(_ context: ProbeContext) {
        self.init(perHost: context.maxConnectionsPerHost, overall: context.maxConnections, spacing: context.delayBetweenConnections)
    }

    func acquire(_ host: String) async {
        if !canStart(host) {
            await withCheckedContinuation { waiters.append((host, $0)) }
        } else {
            start(host)
        }
        if spacing > .zero, let last = lastStart[host] {
            let wait = spacing - last.duration(to: .now)
            lastStart[host] = .now + max(wait, .zero)
            if wait > .zero { try? await Task.sleep(for: wait) }
        } else {
            lastStart[host] = .now
        }
    }

    func release(_ host: String) {
        active[host, default: 1] -= 1
        total -= 1
        if let index = waiters.firstIndex(where: { canStart($0.host) }) {
            let waiter = waiters.remove(at: index)
            start(waiter.host)
            waiter.continuation.resume()
        }
    }

    private func canStart(_ host: String) -> Bool {
        active[host, default: 0] < perHost && total < overall
    }

    private func start(_ host: String) {
        active[host, default: 0] += 1
        total += 1
        opened[host, default: 0] += 1
    }

    /// Runs `work` holding one connection slot for `host`.
    func withSlot<T: Sendable>(_ host: String, _ work: @escaping @Sendable () -> T) async -> T {
        await acquire(host)
        let result = await Blocking.run(work)
        release(host)
        return result
    }
}
