import Foundation
import SansangCore
#if canImport(Glibc)
import Glibc
#endif

/// What the connect scan saw on one port.
struct ConnectOutcome: Sendable {
    var port: Int
    var state: PortState
    var milliseconds: Int
}

/// A TCP connect scan of many ports of one address: non-blocking sockets, a sliding window of
/// at most `window` connection attempts in flight, one `poll()` over all of them. No raw packets,
/// no root. Closed = ECONNREFUSED; filtered = no answer before `timeout` (or unreachable).
struct ConnectScanner: Sendable {
    let address: HostAddress
    let timeout: Duration
    let window: Int
    let buckets: [TokenBucket]
    let deadline: ContinuousClock.Instant

    struct Result: Sendable {
        var outcomes: [ConnectOutcome] = []
        var unscanned = 0
        var connections = 0
        var notes: [String] = []
    }

    private struct Pending {
        var fd: Int32
        var port: Int
        var started: ContinuousClock.Instant
    }

    private enum Start {
        case done(PortState)
        case pending(Int32)
        case later(String)
    }

    func run(_ ports: [Int]) -> Result {
        var result = Result()
        result.outcomes.reserveCapacity(ports.count)
        var inflight: [Pending] = []
        var window = max(1, min(self.window, SocketOps.descriptorLimit - 64))
        var next = 0
        var iterations = 0
        var stalls = 0
        let maxIterations = ports.count * 8 + 2_000_000
        while (next < ports.count || !inflight.isEmpty) && iterations < maxIterations {
            iterations += 1
            let now = ContinuousClock.now
            if now >= deadline { break }
            var pause: Duration = .milliseconds(50)
            while inflight.count < window && next < ports.count {
                if let wait = TokenBucket.take(buckets) {
                    pause = min(pause, wait)
                    break
                }
                let started = ContinuousClock.now
                switch start(ports[next]) {
                case .done(let state):
                    result.connections += 1
                    result.outcomes.append(ConnectOutcome(port: ports[next], state: state, milliseconds: Int(started.duration(to: .now).wholeMilliseconds)))
                    next += 1
                    stalls = 0
                case .pending(let fd):
                    result.connections += 1
                    inflight.append(Pending(fd: fd, port: ports[next], started: started))
                    next += 1
                    stalls = 0
                case .later(let why):
                    // Out of descriptors or local ports: shrink the window and retry after a pause.
                    stalls += 1
                    window = max(1, min(window, inflight.count))
                    pause = .milliseconds(10)
                    if stalls > 2000 {
                        result.notes.append("stopped early: \(why)")
                        result.unscanned += ports.count - next
                        next = ports.count
                    }
                }
                if stalls > 0 { break }
            }
            if inflight.isEmpty {
                if next < ports.count { usleep(UInt32(clamping: max(1, pause.wholeMilliseconds) * 1000)) }
                continue
            }
            let earliest = inflight.map(\.started).min() ?? now
            let untilExpiry = ContinuousClock.now.duration(to: earliest + timeout)
            let wait = max(.zero, next < ports.count ? min(pause, untilExpiry) : untilExpiry)
            var descriptors = inflight.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: max(0, (wait + .microseconds(999)).wholeMilliseconds)))
            if ready < 0 && errno != EINTR {
                result.notes.append("poll(): \(String(cString: strerror(errno)))")
                break
            }
            let finished = ContinuousClock.now
            var index = inflight.count - 1
            while index >= 0 {
                let item = inflight[index]
                var state: PortState?
                if descriptors[index].revents != 0 {
                    state = Self.state(afterConnect: SocketOps.pendingError(item.fd), fd: item.fd)
                } else if item.started.duration(to: finished) >= timeout {
                    state = .filtered
                }
                if let state {
                    SocketOps.abort(item.fd)
                    result.outcomes.append(ConnectOutcome(port: item.port, state: state, milliseconds: Int(item.started.duration(to: finished).wholeMilliseconds)))
                    inflight.swapAt(index, inflight.count - 1)
                    descriptors.swapAt(index, descriptors.count - 1)
                    inflight.removeLast()
                    descriptors.removeLast()
                }
                index -= 1
            }
        }
        for item in inflight { SocketOps.abort(item.fd) }
        let unfinished = inflight.count + (ports.count - next)
        if unfinished > 0 {
            result.unscanned += unfinished
            result.notes.append("the time budget ran out with \(unfinished) port(s) not scanned")
        }
        result.outcomes.sort { $0.port < $1.port }
        return result
    }

    private func start(_ port: Int) -> Start {
        let fd = SocketOps.nonBlockingSocket(family: address.family)
        guard fd >= 0 else {
            return .later("socket(): \(String(cString: strerror(errno)))")
        }
        let rc = address.withSockaddr(port: port) { Glibc.connect(fd, $0, $1) }
        if rc == 0 {
            let state = Self.state(afterConnect: 0, fd: fd)
            SocketOps.abort(fd)
            return .done(state)
        }
        let code = errno
        if code == EINPROGRESS { return .pending(fd) }
        close(fd)
        if code == EADDRNOTAVAIL || code == EAGAIN || code == ENOBUFS {
            return .later("connect(): \(String(cString: strerror(code)))")
        }
        return .done(Self.state(afterConnect: code, fd: -1))
    }

    static func state(afterConnect code: Int32, fd: Int32) -> PortState {
        switch code {
        case 0: fd >= 0 && SocketOps.isSelfConnected(fd) ? .closed : .open
        case ECONNREFUSED, ECONNRESET: .closed
        default: .filtered  // ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, EACCES (a local firewall), …
        }
    }
}
