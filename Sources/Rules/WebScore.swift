public import SansangCore

/// A score and letter grade for the web surface, in the spirit of the Mozilla HTTP Observatory:
/// start at 100, take the worst result of each test as a deduction, add bonuses only when the
/// score is already 90 or more, floor at 0. Pure; `http.grade` fails below B (70).
public enum WebScore {
    public struct Deduction: Sendable, Hashable {
        /// The test (`csp`, `hsts`, `cookies`, …).
        public var test: String
        /// Negative for a deduction, positive for a bonus.
        public var points: Int
        public var reason: String
    }

    public struct Result: Sendable, Hashable {
        public var score: Int
        public var grade: String
        public var deductions: [Deduction]

        /// `Score 35/100 (D): −25 csp: no Content-Security-Policy; …`, for evidence.
        public var summary: String {
            let items = deductions.sorted { $0.points < $1.points }.map { "\($0.points > 0 ? "+" : "−")\(abs($0.points)) \($0.test): \($0.reason)" }
            return "Score \(score)/100 (\(grade))" + (items.isEmpty ? "" : ": " + items.joined(separator: "; "))
        }
    }

    /// Observatory's grade bands.
    public static func grade(_ score: Int) -> String {
        switch score {
        case 100...: "A+"
        case 90..<100: "A"
        case 85..<90: "A-"
        case 80..<85: "B+"
        case 70..<80: "B"
        case 65..<70: "B-"
        case 60..<65: "C+"
        case 50..<60: "C"
        case 45..<50: "C-"
        case 40..<45: "D+"
        case 30..<40: "D"
        case 25..<30: "D-"
        default: "F"
        }
    }

    public static func evaluate(_ http: HTTPFacts) -> Result {
        var penalties: [Deduction] = []
        var bonuses: [Deduction] = []
        func worst(_ test: String, _ candidates: [(Int, String)]) {
            if let pick = candidates.min(by: { $0.0 < $1.0 }) { penalties.append(Deduction(test: test, points: pick.0, reason: pick.1)) }
        }
        let headers = http.headers ?? SecurityHeaders()
        let https = http.landedOnHTTPS

        // Content-Security-Policy
        if let csp = headers.csp, !csp.policies.isEmpty {
            var found: [(Int, String)] = []
            if CSPAnalysis.everyPolicy(csp, allows: CSPAnalysis.allowsUnsafeInline) { found.append((-20, "script-src allows 'unsafe-inline'")) }
            if csp.policies.allSatisfy({ !CSPAnalysis.broadSources(CSPAnalysis.effective($0, "script-src")).isEmpty }) { found.append((-20, "script-src allows broad sources")) }
            if CSPAnalysis.everyPolicy(csp, allows: CSPAnalysis.allowsUnsafeEval) { found.append((-10, "script-src allows 'unsafe-eval'")) }
            worst("csp", found)
            if found.isEmpty && CSPAnalysis.hasDirective(csp, "default-src") && CSPAnalysis.restrictsObjects(csp) {
                bonuses.append(Deduction(test: "csp", points: 5, reason: "no unsafe sources, default-src and object-src set"))
            }
        } else {
            penalties.append(Deduction(test: "csp", points: -25, reason: "no Content-Security-Policy"))
        }

        // Cookies
        if !http.cookies.isEmpty {
            var found: [(Int, String)] = []
            for cookie in http.cookies {
                let session = HTTPRules.isSessionLike(cookie)
                if !cookie.secure { found.append((session ? -40 : -20, "cookie \(cookie.name) without Secure")) }
                if session && !cookie.httpOnly { found.append((-30, "session cookie \(cookie.name) without HttpOnly")) }
                if let sameSite = cookie.sameSite?.lowercased(), !["lax", "strict", "none"].contains(sameSite) || (sameSite == "none" && !cookie.secure) {
                    found.append((-20, "cookie \(cookie.name) with an invalid SameSite"))
                }
            }
            worst("cookies", found)
            if found.isEmpty && http.cookies.allSatisfy({ $0.sameSite != nil }) {
                bonuses.append(Deduction(test: "cookies", points: 5, reason: "every cookie Secure, HttpOnly where needed, with SameSite"))
            }
        }

        // CORS
        var cors: [(Int, String)] = []
        for exchange in http.cors {
            let allowed = exchange.header("Access-Control-Allow-Origin")?.trimmingCharacters(in: .whitespaces) ?? ""
            let credentials = exchange.header("Access-Control-Allow-Credentials")?.lowercased().contains("true") ?? false
            let origin = exchange.requestHeaders.first { $0.name == "Origin" }?.value ?? ""
            if !allowed.isEmpty && allowed == origin { cors.append((credentials ? -50 : -20, "Origin \(origin) allowed\(credentials ? " with credentials" : "")")) }
            if allowed == "*" && credentials { cors.append((-50, "* with credentials")) }
        }
        worst("cors", cors)

        // Redirection
        if let chain = http.plainHTTP, let first = chain.first {
            if let status = first.status {
                if ![301, 302, 303, 307, 308].contains(status) {
                    penalties.append(Deduction(test: "redirection", points: -20, reason: "plain HTTP answers \(status) without redirecting"))
                } else if chain.stoppedBecause == "loop" || chain.stoppedBecause == "limit" {
                    penalties.append(Deduction(test: "redirection", points: -20, reason: "redirect \(chain.stoppedBecause ?? "")"))
                } else if !(chain.unfollowedLocation ?? chain.last?.url ?? "").lowercased().hasPrefix("https://") {
                    penalties.append(Deduction(test: "redirection", points: -20, reason: "the redirect does not end on HTTPS"))
                }
            }
        }

        // Strict-Transport-Security
        if !https {
            penalties.append(Deduction(test: "hsts", points: -20, reason: "the page is not served over HTTPS"))
        } else if let hsts = headers.hsts {
            if hsts.maxAge == nil || hsts.problems.contains(where: { !$0.hasPrefix("unknown directive") }) {
                penalties.append(Deduction(test: "hsts", points: -20, reason: "malformed Strict-Transport-Security"))
            } else if let maxAge = hsts.maxAge, maxAge < 15_768_000 {
                penalties.append(Deduction(test: "hsts", points: -10, reason: "max-age \(maxAge) is under six months"))
            } else if hsts.preload && hsts.includeSubDomains {
                bonuses.append(Deduction(test: "hsts", points: 5, reason: "preload with includeSubDomains"))
            }
        } else {
            penalties.append(Deduction(test: "hsts", points: -20, reason: "no Strict-Transport-Security"))
        }

        // Referrer-Policy
        if let policy = headers.referrerPolicy?.last {
            if ["unsafe-url", "no-referrer-when-downgrade", "origin-when-cross-origin"].contains(policy) {
                penalties.append(Deduction(test: "referrer-policy", points: -5, reason: "Referrer-Policy \(policy)"))
            } else if ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"].contains(policy) {
                bonuses.append(Deduction(test: "referrer-policy", points: 5, reason: "private Referrer-Policy"))
            }
        }

        // X-Content-Type-Options
        if headers.xContentTypeOptions?.trimmingCharacters(in: .whitespaces).lowercased() != "nosniff" {
            penalties.append(Deduction(test: "x-content-type-options", points: -5, reason: "no X-Content-Type-Options: nosniff"))
        }

        // X-Frame-Options / frame-ancestors
        let frameAncestors = headers.csp.map { CSPAnalysis.hasDirective($0, "frame-ancestors") } ?? false
        let xfo = headers.xFrameOptions?.trimmingCharacters(in: .whitespaces).lowercased()
        if frameAncestors {
            bonuses.append(Deduction(test: "x-frame-options", points: 5, reason: "CSP frame-ancestors"))
        } else if xfo != "deny" && xfo != "sameorigin" {
            penalties.append(Deduction(test: "x-frame-options", points: -20, reason: "no X-Frame-Options nor frame-ancestors"))
        }

        var score = 100 + penalties.reduce(0) { $0 + $1.points }
        var applied = penalties
        if score >= 90 {
            score += bonuses.reduce(0) { $0 + $1.points }
            applied += bonuses
        }
        score = max(0, score)
        return Result(score: score, grade: grade(score), deductions: applied)
    }
}
