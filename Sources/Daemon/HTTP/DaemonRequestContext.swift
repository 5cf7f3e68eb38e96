import Hummingbird
import Store

/// A request's context: who made it (the token behind a bearer header or a dashboard session).
struct DaemonRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: APIToken?
    var session: Session?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Throws 403 unless the caller's role holds `permission` (401 when nobody is logged in).
    func require(_ permission: Permission) throws -> APIToken {
        guard let identity else { throw HTTPError(.unauthorized, message: "a token is required (Authorization: Bearer ssg_…)") }
        guard identity.role.may(permission) else {
            throw HTTPError(.forbidden, message: "role '\(identity.role.rawValue)' may not \(permission.rawValue)")
        }
        return identity
    }
}
