public import SansangCore

/// The port probe: a TCP connect scan of the port list in `ProbeContext.ports` on the endpoint's
/// host (its port is ignored), then service identification on open ports — banners, light
/// protocol probes, the SSH KEXINIT, and whether STARTTLS is offered and accepted.
///
/// Connections: one per scanned port (closed with a reset), then one to three per open port
/// (at most 256 open ports are identified). New connections are paced per host
/// (`portConnectRate`) and over all hosts (`portConnectRateOverall`, shared by every endpoint of
/// the scan), with at most `portConcurrency` attempts in flight per host. Addresses outside
/// `ProbeContext.scope` are refused before any packet is sent. A host scanned for several
/// endpoints is scanned once.
public struct PortProbe: Probe {
    public static let id = "ports"
    /// Open ports identified per host at most; the rest are named by port number only.
    public static let identifyLimit = 256

    let overall: TokenBucket
    let cache = ScanCache()

    public init(overallRate: Int = ProbeContext().portConnectRateOverall) {
        overall = TokenBucket(rate: overallRate)
    }

    public func gather(_ endpoint: Endpoint, _ context: ProbeContext, into facts: inout FactSet) async {
        facts.record(await scan(endpoint, context))
    }

    public func scan(_ endpoint: Endpoint, _ context: ProbeContext) async -> ProbeAttempt<PortFacts> {
        let spec: PortSpec
        do throws(SansangError) { spec = try PortSpec(context.ports) } catch {
            return .failed(ProbeFailure(kind: "error", reason: error.reason))
        }
        let host = endpoint.host
        let resolved = await Blocking.run { () -> Result<[HostAddress], SansangError> in
            do throws(SansangError) { return .success(try HostAddress.resolve(host)) } catch { return .failure(error) }
        }
        let addresses: [HostAddress]
        switch resolved {
        case .success(let list): addresses = list
        case .failure(let error): return .failed(ProbeFailure(error))
        }
        if let scope = context.scope {
            do throws(SansangError) { try scope.check(host: host, resolved: addresses.map(\.description)) } catch {
                return .failed(ProbeFailure(error))
            }
        }
        let address = addresses[0]
        return await cache.result(for: "\(address.description)|\(spec.text)") {
            await self.scan(address, host: host, spec: spec, context: context)
        }
    }

    func scan(_ address: HostAddress, host: String, spec: PortSpec, context: ProbeContext) async -> ProbeAttempt<PortFacts> {
        let started = ContinuousClock.now
        let budget = context.endpointTimeout
        let deadline = started + budget
        let hostBucket = TokenBucket(rate: context.portConnectRate)
        let buckets = [hostBucket, overall]
        let scanner = ConnectScanner(
            address: address, timeout: context.connectionTimeout, window: max(1, context.portConcurrency),
            buckets: buckets, deadline: started + budget * 0.8
        )
        let ports = spec.ports
        let connect = await Blocking.run { scanner.run(ports) }
        let scanMilliseconds = Int(started.duration(to: .now).wholeMilliseconds)
        var facts = PortFacts(spec: spec.text, address: address.description, requested: ports.count, unscanned: connect.unscanned)
        facts.listsEveryPort = ports.count <= 1024
        facts.scanMilliseconds = scanMilliseconds
        facts.connections = connect.connections
        facts.notes = connect.notes
        var open: [PortResult] = []
        for outcome in connect.outcomes {
            switch outcome.state {
            case .open: facts.counts.open += 1
            case .closed: facts.counts.closed += 1
            case .filtered: facts.counts.filtered += 1
            }
            let result = PortResult(port: outcome.port, state: outcome.state, milliseconds: outcome.milliseconds)
            if outcome.state == .open { open.append(result) } else if facts.listsEveryPort { facts.ports.append(result) }
        }
        let prober = ServiceProber(
            address: address, host: host, connectTimeout: context.connectionTimeout,
            readTimeout: min(context.connectionTimeout, .seconds(5)),
            greetingWait: min(context.connectionTimeout, .milliseconds(1500)),
            buckets: buckets, deadline: deadline
        )
        let toIdentify = Array(open.prefix(Self.identifyLimit))
        if open.count > Self.identifyLimit {
            facts.notes.append("\(open.count) open ports: only the first \(Self.identifyLimit) were identified; the rest are named by port number")
        }
        let parallel = max(1, min(16, context.portConcurrency / 4))
        let identified = await withTaskGroup(of: (PortResult, Int).self) { group in
            var iterator = toIdentify.makeIterator()
            for _ in 0..<parallel {
                guard let next = iterator.next() else { break }
                group.addTask { await Self.identify(next, prober) }
            }
            var out: [PortResult] = []
            var used = 0
            for await (result, connections) in group {
                out.append(result)
                used += connections
                if let next = iterator.next() { group.addTask { await Self.identify(next, prober) } }
            }
            return (out, used)
        }
        var byPort = Dictionary(uniqueKeysWithValues: identified.0.map { ($0.port, $0) })
        for var result in open.dropFirst(Self.identifyLimit) {
            if let hint = ServiceHints.byPort[result.port] {
                result.service = hint
                result.identifiedBy = "port"
            }
            byPort[result.port] = result
        }
        facts.ports += byPort.values
        facts.ports.sort { $0.port < $1.port }
        facts.connections += identified.1
        facts.durationMilliseconds = Int(started.duration(to: .now).wholeMilliseconds)
        return .completed(facts)
    }

    static func identify(_ result: PortResult, _ prober: ServiceProber) async -> (PortResult, Int) {
        await Blocking.run {
            var copy = result
            let connections = prober.identify(&copy)
            return (copy, connections)
        }
    }
}

/// Scans each (address, port list) once per run, however many endpoints share the host.
actor ScanCache {
    private var done: [String: ProbeAttempt<PortFacts>] = [:]
    private var running: Set<String> = []
    private var waiters: [String: [CheckedContinuation<ProbeAttempt<PortFacts>, Never>]] = [:]

    func result(for key: String, compute: @Sendable () async -> ProbeAttempt<PortFacts>) async -> ProbeAttempt<PortFacts> {
        if let finished = done[key] { return finished }
        if running.contains(key) {
            return await withCheckedContinuation { waiters[key, default: []].append($0) }
        }
        running.insert(key)
        let value = await compute()
        done[key] = value
        running.remove(key)
        for waiter in waiters.removeValue(forKey: key) ?? [] { waiter.resume(returning: value) }
        return value
    }
}
