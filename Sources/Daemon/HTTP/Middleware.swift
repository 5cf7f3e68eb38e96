import Foundation
import Hummingbird
import Logging
import SansangCore
import Store

/// One JSON log line per request: method, path (no query string), status, milliseconds, and the
/// token's id and owner. Headers, cookies and bodies are never logged. Runs inside `AuthMiddleware`.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = DaemonRequestContext
    let logger: Logger
    let metrics: DaemonMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        let who = context.identity
        defer {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            var metadata: Logger.Metadata = ["method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(status)", "ms": "\(String(format: "%.2f", milliseconds))"]
            if let who { metadata["token"] = "\(who.id)"; metadata["owner"] = "\(who.owner)" }
            logger.info("request", metadata: metadata)
            metrics.request(status: status)
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch {
            let response = Self.response(for: error)
            status = Int(response.status.code)
            return response
        }
    }

    /// Errors as JSON `{"error": "…"}`: HTTP errors keep their status, a missing thing is 404,
    /// a refused change (the store's configuration errors) 422, anything else 500.
    static func response(for error: any Error) -> Response {
        let (status, message): (HTTPResponse.Status, String) = switch error {
        case let error as HTTPError: (error.status, error.body ?? error.status.reasonPhrase)
        case let error as NotFound: (.notFound, error.message)
        case let error as SansangError where error.code == .configuration: (.unprocessableContent, error.reason)
        case let error as SansangError: (.internalServerError, error.reason)
        default: (.internalServerError, "internal error")
        }
        var response = (try? JSONBody.response(["error": message], status: status)) ?? Response(status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

/// Bearer tokens for the API and /metrics; the dashboard cookie for the pages.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = DaemonRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = authenticator.token(bearer: request.headers[.authorization]) {
            context.identity = token
        } else if let cookie = request.cookies[Dashboard.cookieName]?.value, let (session, token) = authenticator.session(cookie) {
            context.identity = token
            context.session = session
        }
        return try await next(request, context)
    }
}
