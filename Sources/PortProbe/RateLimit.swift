import Foundation

/// A token bucket of new connections per second, shared between threads. Rate 0 means no limit.
final class TokenBucket: @unchecked Sendable {
    let rate: Int
    private let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant
    private let lock = NSLock()

    init(rate: Int) {
        self.rate = max(0, rate)
        // A tenth of a second's worth at once keeps the average exact without long pauses.
        self.burst = max(1, Double(rate) / 10)
        self.tokens = max(1, Double(rate) / 10)
        self.last = .now
    }

    var unlimited: Bool { rate == 0 }

    private func refill(_ now: ContinuousClock.Instant) {
        let elapsed = Double(last.duration(to: now).wholeMilliseconds) / 1000
        if elapsed > 0 {
            tokens = min(burst, tokens + elapsed * Double(rate))
            last = now
        }
    }

    /// How long until a token is there (zero when one is).
    private func waitLocked(_ now: ContinuousClock.Instant) -> Duration {
        refill(now)
        if tokens >= 1 { return .zero }
        return .milliseconds(Int64(((1 - tokens) / Double(rate) * 1000).rounded(.up)))
    }

    /// Takes one token from every bucket, or none: returns nil when taken, else how long to wait.
    static func take(_ buckets: [TokenBucket]) -> Duration? {
        let limited = buckets.filter { !$0.unlimited }
        if limited.isEmpty { return nil }
        let now = ContinuousClock.now
        for bucket in limited { bucket.lock.lock() }
        defer { for bucket in limited { bucket.lock.unlock() } }
        let wait = limited.map { $0.waitLocked(now) }.max() ?? .zero
        if wait > .zero { return max(wait, .milliseconds(1)) }
        for bucket in limited { bucket.tokens -= 1 }
        return nil
    }

    /// Blocks the calling (non-cooperative) thread until a token of every bucket is taken, or the deadline passes.
    static func acquire(_ buckets: [TokenBucket], until deadline: ContinuousClock.Instant) -> Bool {
        var rounds = 0
        while rounds < 100_000 {
            rounds += 1
            guard let wait = take(buckets) else { return true }
            if ContinuousClock.now + wait > deadline { return false }
            usleep(UInt32(clamping: wait.wholeMilliseconds * 1000))
        }
        return false
    }
}
