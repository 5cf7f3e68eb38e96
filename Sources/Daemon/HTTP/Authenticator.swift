import Foundation
import SansangCore
import Store
import Synchronization

/// A dashboard login: a random id in an HttpOnly cookie (never the token), a CSRF token for forms.
struct Session: Sendable {
    var id: String
    var tokenID: Int64
    var csrf: String
    var expires: Date
}

/// Turns bearer secrets and session cookies into the token they stand for. Token use is noted
/// at most once a minute per token; sessions live in memory and end after `sessionLifetime`.
final class Authenticator: Sendable {
    let store: FindingStore
    let sessionLifetime: TimeInterval
    private let sessions = Mutex<[String: Session]>([:])
    private let touched = Mutex<[Int64: Date]>([:])

    init(store: FindingStore, sessionLifetime: TimeInterval = 8 * 3600) {
        self.store = store
        self.sessionLifetime = sessionLifetime
    }

    func token(bearer header: String?) -> APIToken? {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return nil }
        let secret = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let token = (try? store.authenticate(secret: secret)) ?? nil else { return nil }
        noteUse(token.id)
        return token
    }

    func noteUse(_ id: Int64) {
        let now = Date()
        let due = touched.withLock { touched -> Bool in
            if let last = touched[id], now.timeIntervalSince(last) < 60 { return false }
            touched[id] = now
            return true
        }
        if due { try? store.touchToken(id, now: now) }
    }

    static func randomHex(_ count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Logs in with a token secret: a new session, or nil when the secret is not an active token.
    func login(secret: String) -> (Session, APIToken)? {
        guard let token = (try? store.authenticate(secret: secret.trimmingCharacters(in: .whitespacesAndNewlines))) ?? nil else { return nil }
        let session = Session(id: Self.randomHex(), tokenID: token.id, csrf: Self.randomHex(), expires: Date().addingTimeInterval(sessionLifetime))
        sessions.withLock { sessions in
            let now = Date()
            sessions = sessions.filter { $0.value.expires > now }
            sessions[session.id] = session
        }
        noteUse(token.id)
        return (session, token)
    }

    /// The session and its token, if the session is live and the token not revoked.
    func session(_ id: String?) -> (Session, APIToken)? {
        guard let id, let session = sessions.withLock({ $0[id] }), session.expires > Date() else { return nil }
        guard let token = (try? store.tokens())?.first(where: { $0.id == session.tokenID && $0.revokedAt == nil }) else {
            logout(id)
            return nil
        }
        noteUse(token.id)
        return (session, token)
    }

    func logout(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }
}
