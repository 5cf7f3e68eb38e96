public import SansangCore
import Foundation

/// The built-in HTTP rules. Ids are stable forever. Exposed-path rules come from the check
/// file (`exposedPathRules`), one per entry.
public enum HTTPRules {
    public static let all: [HTTPRule] = transportRules + hstsRules + cspRules + headerRules + cookieRules + corsRules
        + disclosureRules + methodRules + pathRules + [gradeRule]

    /// A rule per exposed-path check (`http.path.<id>`), built from the checks the probe runs.
    public static func exposedPathRules(_ checks: [ExposedPathCheck]) -> [HTTPRule] {
        checks.map(exposedPathRule)
    }

    // MARK: transport (A06-01)

    /// Judges the plain-HTTP chain: nil when it was not probed.
    static func plainChain(_ http: HTTPFacts) -> RedirectChain? { http.plainHTTP }

    static let transportRules: [HTTPRule] = [
        HTTPRule(.http(
            "http.redirect.missing", .high,
            vi: "HTTP không chuyển hướng sang HTTPS", en: "Plain HTTP does not redirect to HTTPS",
            fixVi: "Trên cổng 80 chỉ trả về chuyển hướng 301 sang https:// cùng tên miền (nginx: server { listen 80; return 301 https://$host$request_uri; }); không phục vụ nội dung qua HTTP.",
            fixEn: "On port 80 answer only with a 301 to https:// on the same host (nginx: server { listen 80; return 301 https://$host$request_uri; }); serve no content over HTTP.",
            requirements: ["A06-01"]
        )) { http, _, _ in
            guard let chain = plainChain(http), let first = chain.first else { return .notApplicable }
            guard let status = first.status else {
                // Nothing listens for plain HTTP: nothing is served in clear text.
                if first.error?.kind == "refused" { return .pass }
                return .inconclusive("plain HTTP could not be tested: \(first.error?.reason ?? "no answer")")
            }
            if [301, 302, 303, 307, 308].contains(status) { return .pass }
            return .fail([FindingDraft(subject: first.url, evidence: exchangeEvidence(first, headers: ["Location"]) + "; the page is served over plain HTTP")])
        },
        HTTPRule(.http(
            "http.redirect.not-https", .high,
            vi: "Chuyển hướng từ HTTP không dẫn tới HTTPS", en: "The HTTP redirect does not lead to HTTPS",
            fixVi: "Chuyển hướng thẳng tới https:// (301), không qua trang HTTP trung gian.",
            fixEn: "Redirect straight to https:// (301), with no intermediate HTTP page.",
            requirements: ["A06-01"]
        )) { http, _, _ in
            guard let chain = plainChain(http), let first = chain.first, let status = first.status,
                  [301, 302, 303, 307, 308].contains(status) else { return .notApplicable }
            let finalURL = chain.unfollowedLocation ?? chain.last?.url ?? ""
            if finalURL.lowercased().hasPrefix("https://") { return .pass }
            if chain.stoppedBecause == "loop" || chain.stoppedBecause == "limit" { return .notApplicable }
            let hops = chain.hops.map(\.summary).joined(separator: " → ")
            return .fail([FindingDraft(subject: first.url, evidence: "Redirect chain: \(hops); ends at \(finalURL)")])
        },
        HTTPRule(.http(
            "http.redirect.loop", .medium,
            vi: "Chuỗi chuyển hướng lặp hoặc quá dài", en: "Redirect loop or overly long redirect chain",
            fixVi: "Sửa cấu hình chuyển hướng để tới trang HTTPS đích trong một bước.",
            fixEn: "Fix the redirects so the HTTPS page is reached in one step.",
            requirements: ["A06-01"]
        )) { http, _, _ in
            var drafts: [FindingDraft] = []
            for chain in [http.plainHTTP, http.main].compactMap({ $0 }) where chain.stoppedBecause == "loop" || chain.stoppedBecause == "limit" {
                let hops = chain.hops.map(\.summary).joined(separator: " → ")
                drafts.append(FindingDraft(subject: chain.first?.url ?? http.target, evidence: "\(chain.stoppedBecause ?? ""): \(hops) → \(chain.unfollowedLocation ?? "")"))
            }
            return drafts.isEmpty ? .pass : .fail(drafts)
        },
        HTTPRule(.http(
            "http.redirect.not-permanent", .low,
            vi: "Chuyển hướng sang HTTPS là tạm thời (302/307)", en: "The redirect to HTTPS is temporary (302/307)",
            fixVi: "Dùng mã 301 (hoặc 308) cho chuyển hướng HTTP → HTTPS.",
            fixEn: "Use 301 (or 308) for the HTTP → HTTPS redirect.",
            requirements: ["A06-01"]
        )) { http, _, _ in
            guard let chain = plainChain(http), let first = chain.first, let status = first.status,
                  [301, 302, 303, 307, 308].contains(status) else { return .notApplicable }
            if status == 301 || status == 308 { return .pass }
            return .fail([FindingDraft(subject: first.url, evidence: exchangeEvidence(first, headers: ["Location"]))])
        },
        HTTPRule(.http(
            "http.redirect.target-unreachable", .high,
            vi: "Trang HTTPS đích của chuyển hướng không truy cập được", en: "The HTTPS target of the redirect does not answer",
            fixVi: "Bảo đảm dịch vụ HTTPS (443) hoạt động với chứng thư hợp lệ tại địa chỉ được chuyển hướng tới.",
            fixEn: "Make sure HTTPS (443) answers with a valid certificate at the redirect target.",
            requirements: ["A06-01"]
        )) { http, _, _ in
            guard let chain = plainChain(http), chain.hops.count > 1, let last = chain.last else { return .notApplicable }
            if last.status != nil { return .pass }
            return .fail([FindingDraft(subject: last.url, evidence: last.summary)])
        },
    ]

    // MARK: HSTS (A06-05)

    /// HSTS only means something on an HTTPS answer.
    static func hstsInput(_ http: HTTPFacts) -> (HTTPExchange, HSTSFacts?)? {
        guard http.landedOnHTTPS, let landing = http.landing else { return nil }
        return (landing, http.headers?.hsts)
    }

    static let fixHSTSVi = "Thêm tiêu đề Strict-Transport-Security: max-age=31536000; includeSubDomains (nginx: add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;)."
    static let fixHSTSEn = "Send Strict-Transport-Security: max-age=31536000; includeSubDomains (nginx: add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;)."

    static let hstsRules: [HTTPRule] = [
        HTTPRule(.http(
            "http.header.hsts.missing", .medium,
            vi: "Thiếu tiêu đề Strict-Transport-Security (HSTS)", en: "Strict-Transport-Security (HSTS) header missing",
            fixVi: fixHSTSVi, fixEn: fixHSTSEn, requirements: ["A06-05"], references: ["RFC 6797"]
        )) { http, _, _ in
            guard let (landing, hsts) = hstsInput(http) else { return .notApplicable }
            return hsts == nil ? .fail([FindingDraft(subject: "Strict-Transport-Security", evidence: exchangeEvidence(landing, headers: ["Strict-Transport-Security"]))]) : .pass
        },
        HTTPRule(.http(
            "http.header.hsts.invalid", .medium,
            vi: "Tiêu đề HSTS sai cú pháp (trình duyệt bỏ qua)", en: "HSTS header is malformed (browsers ignore it)",
            fixVi: fixHSTSVi, fixEn: fixHSTSEn, requirements: ["A06-05"], references: ["RFC 6797 §6.1"]
        )) { http, _, _ in
            guard let (landing, hsts) = hstsInput(http), let hsts else { return .notApplicable }
            let fatal = hsts.problems.filter { !$0.hasPrefix("unknown directive") }
            return fatal.isEmpty ? .pass : .fail([FindingDraft(subject: "Strict-Transport-Security", evidence: exchangeEvidence(landing, headers: ["Strict-Transport-Security"]) + "; " + fatal.joined(separator: "; "))])
        },
        HTTPRule(.http(
            "http.header.hsts.short", .medium,
            vi: "HSTS max-age ngắn hơn 1 năm", en: "HSTS max-age shorter than one year",
            fixVi: "Đặt max-age ≥ 31536000 (1 năm). " + fixHSTSVi, fixEn: "Set max-age to at least 31536000 (one year). " + fixHSTSEn,
            requirements: ["A06-05"]
        )) { http, _, _ in
            guard let (landing, hsts) = hstsInput(http), let hsts, let maxAge = hsts.maxAge else { return .notApplicable }
            if maxAge >= 31_536_000 { return .pass }
            // Under six months (or zero, which deletes the policy) is the worse case.
            let severity: Severity = maxAge >= 15_768_000 ? .low : .medium
            return .fail([FindingDraft(subject: "max-age", evidence: exchangeEvidence(landing, headers: ["Strict-Transport-Security"]) + "; max-age \(maxAge) s = \(maxAge / 86400) days", severity: severity)])
        },
        HTTPRule(.http(
            "http.header.hsts.no-subdomains", .low,
            vi: "HSTS thiếu includeSubDomains", en: "HSTS without includeSubDomains",
            fixVi: "Thêm includeSubDomains khi mọi tên miền con đều có HTTPS.", fixEn: "Add includeSubDomains once every subdomain serves HTTPS.",
            requirements: ["A06-05"]
        )) { http, _, endpoint in
            guard let (landing, hsts) = hstsInput(http), let hsts, hsts.maxAge != nil else { return .notApplicable }
            if endpoint.isIPLiteral { return .notApplicable }  // no subdomains under an IP address
            return hsts.includeSubDomains ? .pass : .fail([FindingDraft(subject: "includeSubDomains", evidence: exchangeEvidence(landing, headers: ["Strict-Transport-Security"]))])
        },
        HTTPRule(.http(
            "http.header.hsts.no-preload", .info,
            vi: "HSTS chưa có preload", en: "HSTS without preload",
            fixVi: "Cân nhắc thêm preload và đăng ký tên miền vào danh sách HSTS preload.", fixEn: "Consider preload and submitting the domain to the HSTS preload list.",
            requirements: ["A06-05"]
        )) { http, _, endpoint in
            guard let (landing, hsts) = hstsInput(http), let hsts, hsts.maxAge != nil, !endpoint.isIPLiteral else { return .notApplicable }
            return hsts.preload ? .pass : .fail([FindingDraft(subject: "preload", evidence: exchangeEvidence(landing, headers: ["Strict-Transport-Security"]))])
        },
    ]

    // MARK: Content-Security-Policy (A05-08)

    static func cspInput(_ http: HTTPFacts) -> (HTTPExchange, CSPFacts)? {
        guard let landing = http.landing, let csp = http.headers?.csp, !csp.policies.isEmpty else { return nil }
        return (landing, csp)
    }

    static func cspRule(_ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String, _ weakness: @escaping @Sendable (CSPFacts) -> String?) -> HTTPRule {
        HTTPRule(.http(id, severity, vi: vi, en: en, fixVi: fixVi, fixEn: fixEn, requirements: ["A05-08"], references: ["CSP Level 3"])) { http, _, _ in
            guard let (landing, csp) = cspInput(http) else { return .notApplicable }
            guard let what = weakness(csp) else { return .pass }
            return .fail([FindingDraft(subject: id.replacingOccurrences(of: "http.header.csp.", with: ""), evidence: exchangeEvidence(landing, headers: ["Content-Security-Policy"]) + "; " + what)])
        }
    }

    static let cspRules: [HTTPRule] = [
        HTTPRule(.http(
            "http.header.csp.missing", .medium,
            vi: "Thiếu tiêu đề Content-Security-Policy", en: "Content-Security-Policy header missing",
            fixVi: "Thêm Content-Security-Policy, tối thiểu: default-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self' (nginx: add_header Content-Security-Policy \"…\" always;).",
            fixEn: "Send a Content-Security-Policy, at least: default-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self' (nginx: add_header Content-Security-Policy \"…\" always;).",
            requirements: ["A05-08"], references: ["CSP Level 3"]
        )) { http, _, _ in
            guard let landing = http.landing else { return .inconclusive("no page answered") }
            if let csp = http.headers?.csp, !csp.policies.isEmpty { return .pass }
            var evidence = exchangeEvidence(landing, headers: ["Content-Security-Policy"])
            if http.headers?.cspReportOnly != nil { evidence += "; only Content-Security-Policy-Report-Only is sent (not enforced)" }
            return .fail([FindingDraft(subject: "Content-Security-Policy", evidence: evidence)])
        },
        cspRule(
            "http.header.csp.unsafe-inline", .medium,
            vi: "CSP cho phép script nội tuyến ('unsafe-inline')", en: "CSP allows inline script ('unsafe-inline')",
            fixVi: "Bỏ 'unsafe-inline' khỏi script-src; dùng nonce hoặc hash cho script nội tuyến cần thiết.",
            fixEn: "Remove 'unsafe-inline' from script-src; use nonces or hashes for the inline scripts you need."
        ) { csp in CSPAnalysis.everyPolicy(csp, allows: CSPAnalysis.allowsUnsafeInline) ? "script-src allows 'unsafe-inline'" : nil },
        cspRule(
            "http.header.csp.unsafe-eval", .medium,
            vi: "CSP cho phép eval ('unsafe-eval')", en: "CSP allows eval ('unsafe-eval')",
            fixVi: "Bỏ 'unsafe-eval' khỏi script-src và sửa mã JavaScript không dùng eval/new Function.",
            fixEn: "Remove 'unsafe-eval' from script-src and stop using eval/new Function in the JavaScript."
        ) { csp in CSPAnalysis.everyPolicy(csp, allows: CSPAnalysis.allowsUnsafeEval) ? "script-src allows 'unsafe-eval'" : nil },
        cspRule(
            "http.header.csp.wildcard-source", .medium,
            vi: "CSP cho phép script từ nguồn quá rộng (*, data:, https:)", en: "CSP allows scripts from overly broad sources (*, data:, https:)",
            fixVi: "Chỉ liệt kê nguồn cụ thể trong script-src ('self', tên miền cụ thể); không dùng *, data:, http:, https:.",
            fixEn: "List only specific sources in script-src ('self', named hosts); never *, data:, http: or https:."
        ) { csp in
            let perPolicy = csp.policies.map { CSPAnalysis.broadSources(CSPAnalysis.effective($0, "script-src")) }
            guard perPolicy.allSatisfy({ !$0.isEmpty }) else { return nil }
            return "script-src allows " + Array(Set(perPolicy.flatMap { $0 })).sorted().joined(separator: ", ")
        },
        cspRule(
            "http.header.csp.default-src-missing", .low,
            vi: "CSP thiếu default-src", en: "CSP without default-src",
            fixVi: "Thêm default-src 'self' (hoặc 'none') làm chính sách mặc định.", fixEn: "Add default-src 'self' (or 'none') as the fallback policy."
        ) { csp in CSPAnalysis.hasDirective(csp, "default-src") ? nil : "no default-src directive" },
        cspRule(
            "http.header.csp.frame-ancestors-missing", .low,
            vi: "CSP thiếu frame-ancestors", en: "CSP without frame-ancestors",
            fixVi: "Thêm frame-ancestors 'self' (hoặc 'none') để chống clickjacking.", fixEn: "Add frame-ancestors 'self' (or 'none') against clickjacking."
        ) { csp in CSPAnalysis.hasDirective(csp, "frame-ancestors") ? nil : "no frame-ancestors directive (default-src does not cover it)" },
        cspRule(
            "http.header.csp.object-src-missing", .low,
            vi: "CSP không giới hạn object-src", en: "CSP does not restrict object-src",
            fixVi: "Thêm object-src 'none'.", fixEn: "Add object-src 'none'."
        ) { csp in CSPAnalysis.restrictsObjects(csp) ? nil : "neither object-src nor default-src is set" },
    ]

    // MARK: other headers (A05-08)

    static func headerRule(_ id: String, _ severity: Severity, header: String, vi: String, en: String, fixVi: String, fixEn: String, httpsOnly: Bool = false, _ weakness: @escaping @Sendable (SecurityHeaders, HTTPFacts) -> String?) -> HTTPRule {
        HTTPRule(.http(id, severity, vi: vi, en: en, fixVi: fixVi, fixEn: fixEn, requirements: ["A05-08"])) { http, _, _ in
            guard let landing = http.landing, let headers = http.headers else { return .inconclusive("no page answered") }
            if httpsOnly && !http.landedOnHTTPS { return .notApplicable }
            guard let what = weakness(headers, http) else { return .pass }
            return .fail([FindingDraft(subject: header, evidence: exchangeEvidence(landing, headers: [header]) + (what.isEmpty ? "" : "; " + what))])
        }
    }

    static let headerRules: [HTTPRule] = [
        headerRule(
            "http.header.x-frame-options.missing", .medium, header: "X-Frame-Options",
            vi: "Không chống nhúng trang (thiếu X-Frame-Options và CSP frame-ancestors)", en: "No framing protection (no X-Frame-Options nor CSP frame-ancestors)",
            fixVi: "Thêm X-Frame-Options: DENY (hoặc SAMEORIGIN) và CSP frame-ancestors 'self'.", fixEn: "Send X-Frame-Options: DENY (or SAMEORIGIN) and CSP frame-ancestors 'self'."
        ) { headers, _ in
            if let csp = headers.csp, CSPAnalysis.hasDirective(csp, "frame-ancestors") { return nil }
            guard let value = headers.xFrameOptions?.trimmingCharacters(in: .whitespaces).lowercased() else { return "" }
            return value == "deny" || value == "sameorigin" ? nil : "value '\(value)' is not DENY or SAMEORIGIN"
        },
        headerRule(
            "http.header.x-content-type-options.missing", .low, header: "X-Content-Type-Options",
            vi: "Thiếu X-Content-Type-Options: nosniff", en: "X-Content-Type-Options: nosniff missing",
            fixVi: "Thêm X-Content-Type-Options: nosniff (nginx: add_header X-Content-Type-Options nosniff always;).", fixEn: "Send X-Content-Type-Options: nosniff (nginx: add_header X-Content-Type-Options nosniff always;)."
        ) { headers, _ in
            guard let value = headers.xContentTypeOptions else { return "" }
            return value.trimmingCharacters(in: .whitespaces).lowercased() == "nosniff" ? nil : "value is not nosniff"
        },
        headerRule(
            "http.header.referrer-policy.missing", .low, header: "Referrer-Policy",
            vi: "Thiếu Referrer-Policy", en: "Referrer-Policy missing",
            fixVi: "Thêm Referrer-Policy: strict-origin-when-cross-origin (hoặc no-referrer).", fixEn: "Send Referrer-Policy: strict-origin-when-cross-origin (or no-referrer)."
        ) { headers, _ in headers.referrerPolicy == nil ? "" : nil },
        headerRule(
            "http.header.referrer-policy.unsafe", .low, header: "Referrer-Policy",
            vi: "Referrer-Policy làm lộ URL đầy đủ sang trang khác", en: "Referrer-Policy leaks full URLs to other sites",
            fixVi: "Dùng strict-origin-when-cross-origin, same-origin hoặc no-referrer.", fixEn: "Use strict-origin-when-cross-origin, same-origin or no-referrer."
        ) { headers, _ in
            // The last token a browser understands wins; unknown tokens are skipped.
            let known = ["no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url"]
            guard let effective = headers.referrerPolicy?.last(where: { known.contains($0) }) else { return nil }
            return ["unsafe-url", "no-referrer-when-downgrade", "origin-when-cross-origin"].contains(effective) ? "effective policy '\(effective)'" : nil
        },
        headerRule(
            "http.header.permissions-policy.missing", .low, header: "Permissions-Policy",
            vi: "Thiếu Permissions-Policy", en: "Permissions-Policy missing",
            fixVi: "Thêm Permissions-Policy tắt các tính năng không dùng, ví dụ: camera=(), microphone=(), geolocation=().", fixEn: "Send a Permissions-Policy that disables unused features, e.g. camera=(), microphone=(), geolocation=()."
        ) { headers, _ in headers.permissionsPolicy == nil ? "" : nil },
        headerRule(
            "http.header.coop.missing", .info, header: "Cross-Origin-Opener-Policy",
            vi: "Thiếu Cross-Origin-Opener-Policy", en: "Cross-Origin-Opener-Policy missing",
            fixVi: "Thêm Cross-Origin-Opener-Policy: same-origin.", fixEn: "Send Cross-Origin-Opener-Policy: same-origin.", httpsOnly: true
        ) { headers, _ in headers.crossOriginOpenerPolicy == nil ? "" : nil },
        headerRule(
            "http.header.corp.missing", .info, header: "Cross-Origin-Resource-Policy",
            vi: "Thiếu Cross-Origin-Resource-Policy", en: "Cross-Origin-Resource-Policy missing",
            fixVi: "Thêm Cross-Origin-Resource-Policy: same-origin (hoặc same-site).", fixEn: "Send Cross-Origin-Resource-Policy: same-origin (or same-site).", httpsOnly: true
        ) { headers, _ in headers.crossOriginResourcePolicy == nil ? "" : nil },
        headerRule(
            "http.header.cache-control.sensitive", .low, header: "Cache-Control",
            vi: "Trang đặt cookie phiên nhưng cho phép lưu đệm", en: "A page that sets a session cookie may be cached",
            fixVi: "Với trang cần đăng nhập hoặc đặt cookie phiên: Cache-Control: no-store (nginx: add_header Cache-Control \"no-store\" always;).",
            fixEn: "On authenticated pages and pages that set session cookies: Cache-Control: no-store (nginx: add_header Cache-Control \"no-store\" always;)."
        ) { headers, http in
            guard !http.cookies.isEmpty else { return nil }  // no session seen: nothing to judge
            let directives = (headers.cacheControl ?? []).map { $0.split(separator: "=").first.map(String.init) ?? $0 }
            if directives.contains("no-store") || directives.contains("private") { return nil }
            return "sets cookie(s) " + http.cookies.map(\.name).joined(separator: ", ") + " without Cache-Control: no-store or private"
        },
    ]

    // MARK: cookies (A06-06)

    /// A cookie that looks like it carries a session or credentials.
    static func isSessionLike(_ cookie: CookieFacts) -> Bool {
        let name = cookie.name.lowercased()
        let hints = ["sess", "sid", "token", "auth", "jwt", "login", "user", "csrf", "xsrf", "asp.net", "remember"]
        return !cookie.persistent || hints.contains { name.contains($0) }
    }

    static func cookieRule(_ id: String, _ severity: Severity, vi: String, en: String, fixVi: String, fixEn: String, _ weakness: @escaping @Sendable (CookieFacts, HTTPFacts) -> (String, Severity?)?) -> HTTPRule {
        HTTPRule(.http(id, severity, vi: vi, en: en, fixVi: fixVi, fixEn: fixEn, requirements: ["A06-06"], references: ["RFC 6265bis"])) { http, _, _ in
            guard http.landing != nil else { return .inconclusive("no page answered") }
            if http.cookies.isEmpty { return .notApplicable }
            var drafts: [FindingDraft] = []
            for cookie in http.cookies {
                guard let (what, severity) = weakness(cookie, http) else { continue }
                guard !drafts.contains(where: { $0.subject == cookie.name }) else { continue }
                drafts.append(FindingDraft(subject: cookie.name, evidence: "GET \(cookie.url) → Set-Cookie: \(cookie.redacted); \(what)", severity: severity))
            }
            return drafts.isEmpty ? .pass : .fail(drafts)
        }
    }

    static let cookieRules: [HTTPRule] = [
        cookieRule(
            "http.cookie.secure-missing", .medium,
            vi: "Cookie thiếu thuộc tính Secure", en: "Cookie without the Secure attribute",
            fixVi: "Đặt Secure cho mọi cookie (nginx với proxy: proxy_cookie_flags ~ secure httponly samesite=lax;).",
            fixEn: "Set Secure on every cookie (nginx as a proxy: proxy_cookie_flags ~ secure httponly samesite=lax;)."
        ) { cookie, _ in
            cookie.secure ? nil : ("no Secure: the cookie is also sent over plain HTTP", isSessionLike(cookie) ? .medium : .low)
        },
        cookieRule(
            "http.cookie.httponly-missing", .medium,
            vi: "Cookie phiên thiếu thuộc tính HttpOnly", en: "Session cookie without the HttpOnly attribute",
            fixVi: "Đặt HttpOnly cho cookie phiên để JavaScript không đọc được.", fixEn: "Set HttpOnly on session cookies so scripts cannot read them."
        ) { cookie, _ in
            cookie.httpOnly ? nil : ("no HttpOnly", isSessionLike(cookie) ? .medium : .low)
        },
        cookieRule(
            "http.cookie.samesite-missing", .low,
            vi: "Cookie thiếu hoặc đặt sai SameSite", en: "Cookie without a valid SameSite attribute",
            fixVi: "Đặt SameSite=Lax (hoặc Strict); SameSite=None chỉ khi thật cần và phải kèm Secure.",
            fixEn: "Set SameSite=Lax (or Strict); SameSite=None only when needed, and always with Secure."
        ) { cookie, _ in
            guard let value = cookie.sameSite?.lowercased() else { return ("no SameSite", nil) }
            switch value {
            case "lax", "strict": return nil
            case "none": return cookie.secure ? nil : ("SameSite=None without Secure (browsers reject it)", .medium)
            default: return ("SameSite='\(value)' is not Strict, Lax or None", nil)
            }
        },
        cookieRule(
            "http.cookie.prefix-invalid", .medium,
            vi: "Cookie có tiền tố __Host-/__Secure- nhưng không đủ điều kiện", en: "Cookie with a __Host-/__Secure- prefix that breaks its rules",
            fixVi: "__Secure-: cần Secure. __Host-: cần Secure, Path=/ và không có Domain.", fixEn: "__Secure- needs Secure. __Host- needs Secure, Path=/ and no Domain."
        ) { cookie, _ in
            if cookie.name.hasPrefix("__Host-") {
                if !cookie.secure || cookie.path != "/" || cookie.domain != nil { return ("__Host- requires Secure, Path=/ and no Domain", nil) }
            } else if cookie.name.hasPrefix("__Secure-"), !cookie.secure {
                return ("__Secure- requires Secure", nil)
            }
            return nil
        },
        cookieRule(
            "http.cookie.domain-broad", .low,
            vi: "Cookie phiên được chia sẻ cho mọi tên miền con (Domain)", en: "Session cookie shared with every subdomain (Domain attribute)",
            fixVi: "Bỏ thuộc tính Domain (cookie chỉ gửi về đúng máy chủ), hoặc dùng tiền tố __Host-.", fixEn: "Drop the Domain attribute (host-only cookie), or use the __Host- prefix."
        ) { cookie, _ in
            guard let domain = cookie.domain, isSessionLike(cookie) else { return nil }
            return ("Domain=\(domain)", nil)
        },
    ]

    // MARK: CORS (A05-08, C06-06)

    static func corsRule(_ id: String, _ severity: Severity, vi: String, en: String, origin: String, _ weakness: @escaping @Sendable (String, Bool) -> (String, Severity?)?) -> HTTPRule {
        HTTPRule(.http(
            id, severity, vi: vi, en: en,
            fixVi: "Chỉ trả Access-Control-Allow-Origin cho danh sách nguồn được phép (so khớp chính xác); không phản chiếu Origin, không cho phép null, không dùng * với Access-Control-Allow-Credentials.",
            fixEn: "Return Access-Control-Allow-Origin only for an allowlist of exact origins; never reflect Origin, never allow null, never combine * with Access-Control-Allow-Credentials.",
            requirements: ["A05-08", "C06-06"]
        )) { http, _, _ in
            guard let exchange = http.cors.first(where: { $0.requestHeaders.contains { $0.name == "Origin" && $0.value == origin } }) else {
                return http.limitReached ? .inconclusive("CORS request not sent (request limit)") : .notApplicable
            }
            guard exchange.status != nil else { return .inconclusive("no answer to the CORS request: \(exchange.error?.reason ?? "")") }
            let allowed = exchange.header("Access-Control-Allow-Origin")?.trimmingCharacters(in: .whitespaces) ?? ""
            let credentials = exchange.header("Access-Control-Allow-Credentials")?.trimmingCharacters(in: .whitespaces).lowercased() == "true"
            guard let (what, severity) = weakness(allowed, credentials) else { return .pass }
            return .fail([FindingDraft(subject: origin, evidence: exchangeEvidence(exchange, headers: ["Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"]) + "; " + what, severity: severity)])
        }
    }

    static let corsRules: [HTTPRule] = [
        corsRule("http.cors.reflected-origin", .medium, vi: "CORS chấp nhận mọi Origin (phản chiếu Origin)", en: "CORS reflects any Origin", origin: "https://sansang-cors-check.invalid") { allowed, credentials in
            guard allowed == "https://sansang-cors-check.invalid" else { return nil }
            return credentials ? ("a foreign origin is allowed with credentials: any site can read authenticated answers", .high) : ("a foreign origin is allowed", nil)
        },
        corsRule("http.cors.wildcard-credentials", .medium, vi: "CORS dùng * kèm Access-Control-Allow-Credentials", en: "CORS allows * together with credentials", origin: "https://sansang-cors-check.invalid") { allowed, credentials in
            allowed == "*" && credentials ? ("Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true", nil) : nil
        },
        corsRule("http.cors.null-origin", .medium, vi: "CORS chấp nhận Origin null", en: "CORS allows the null Origin", origin: "null") { allowed, credentials in
            guard allowed.lowercased() == "null" else { return nil }
            return credentials ? ("Origin null (sandboxed frames, local files) allowed with credentials", .high) : ("Origin null allowed", nil)
        },
    ]

    // MARK: disclosure (A05-05, A05-06, A05-07)

    /// A version number in a banner: `nginx/1.22.1`, `Apache/2.4.57 (Debian)`, `PHP/8.1`.
    static func version(in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: "[A-Za-z][A-Za-z0-9._-]*[/ ]v?[0-9]+(\\.[0-9]+)+") else { return nil }
        guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let range = Range(match.range, in: text) else { return nil }
        return String(text[range])
    }

    static let stackTraceMarkers: [(String, String)] = [
        ("Traceback (most recent call last)", "Python traceback"),
        ("at java.", "Java stack trace"), ("java.lang.", "Java exception"), ("org.springframework.", "Spring exception"),
        ("Whitelabel Error Page", "Spring Boot error page"), ("org.apache.catalina", "Tomcat exception"),
        ("Server Error in '/' Application", "ASP.NET error page"), ("System.Web.", "ASP.NET exception"), ("   at System.", ".NET stack trace"),
        ("<b>Fatal error</b>:", "PHP fatal error"), ("<b>Warning</b>:", "PHP warning"), ("Stack trace:", "stack trace"),
        ("SQLSTATE[", "SQL error"), ("You have an error in your SQL syntax", "MySQL error"), ("ORA-0", "Oracle error"),
        ("django.core", "Django debug page"), ("Laravel", "Laravel error page"), ("Symfony\\Component", "Symfony exception"),
        ("node_modules/", "Node.js stack trace"), ("Microsoft OLE DB", "OLE DB error"), ("ActionController::", "Rails exception"),
    ]

    static let listingMarkers = ["<title>Index of /", "<h1>Index of /", "<title>Directory listing for /", "[To Parent Directory]"]

    static let disclosureRules: [HTTPRule] = [
        HTTPRule(.http(
            "http.disclosure.server-version", .medium,
            vi: "Lộ phiên bản phần mềm máy chủ (Server)", en: "Server software version disclosed (Server header)",
            fixVi: "Ẩn phiên bản: nginx server_tokens off; Apache ServerTokens Prod và ServerSignature Off; Tomcat: sửa server.info.",
            fixEn: "Hide the version: nginx server_tokens off; Apache ServerTokens Prod and ServerSignature Off; Tomcat: change server.info.",
            requirements: ["A05-05"]
        )) { http, _, _ in
            for exchange in http.allExchanges where exchange.status != nil {
                if let server = exchange.header("Server"), let banner = version(in: server) {
                    return .fail([FindingDraft(subject: "Server", evidence: exchangeEvidence(exchange, headers: ["Server"]) + "; version \(banner)")])
                }
            }
            // Default error pages print the banner even when the header is trimmed.
            for exchange in [http.notFound, http.errorProbe].compactMap({ $0 }) {
                for marker in ["nginx/", "Apache/", "Apache Tomcat/", "Microsoft-IIS/", "Jetty(", "openresty/"] {
                    guard let start = exchange.bodyExcerpt.range(of: marker),
                          let banner = version(in: String(exchange.bodyExcerpt[start.lowerBound...].prefix(80))) else { continue }
                    return .fail([FindingDraft(subject: "error-page", evidence: exchange.summary + "; the error page shows \(banner)")])
                }
            }
            return .pass
        },
        HTTPRule(.http(
            "http.disclosure.powered-by", .medium,
            vi: "Lộ công nghệ/phiên bản ứng dụng (X-Powered-By, X-AspNet-Version)", en: "Application stack disclosed (X-Powered-By, X-AspNet-Version)",
            fixVi: "Xóa các tiêu đề X-Powered-By, X-AspNet-Version, X-AspNetMvc-Version, X-Generator (PHP: expose_php = Off; ASP.NET: enableVersionHeader=\"false\"; nginx: proxy_hide_header X-Powered-By;).",
            fixEn: "Remove X-Powered-By, X-AspNet-Version, X-AspNetMvc-Version and X-Generator (PHP: expose_php = Off; ASP.NET: enableVersionHeader=\"false\"; nginx: proxy_hide_header X-Powered-By;).",
            requirements: ["A05-05"]
        )) { http, _, _ in
            let names = ["X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Runtime", "X-Version"]
            var drafts: [FindingDraft] = []
            for name in names {
                guard let exchange = http.allExchanges.first(where: { $0.header(name) != nil }) else { continue }
                drafts.append(FindingDraft(subject: name, evidence: exchangeEvidence(exchange, headers: [name])))
            }
            return drafts.isEmpty ? .pass : .fail(drafts)
        },
        HTTPRule(.http(
            "http.disclosure.stack-trace", .medium,
            vi: "Trang lỗi lộ thông tin kỹ thuật (stack trace, lỗi SQL, trang lỗi framework)", en: "Error page discloses technical details (stack trace, SQL error, framework page)",
            fixVi: "Tắt chế độ debug; cấu hình trang lỗi chung (nginx: error_page; Spring: server.error.include-stacktrace=never; ASP.NET: customErrors On; PHP: display_errors Off).",
            fixEn: "Turn off debug mode; serve generic error pages (nginx: error_page; Spring: server.error.include-stacktrace=never; ASP.NET: customErrors On; PHP: display_errors Off).",
            requirements: ["A05-07"]
        )) { http, _, _ in
            let probes = [http.notFound, http.errorProbe, http.landing].compactMap { $0 }
            guard probes.contains(where: { $0.status != nil }) else { return .inconclusive("the error probes got no answer") }
            for exchange in probes {
                for (marker, what) in stackTraceMarkers where exchange.bodyExcerpt.contains(marker) {
                    return .fail([FindingDraft(subject: exchange.url == http.landing?.url ? "page" : "error-page", evidence: exchangeEvidence(exchange, body: true) + "; contains \"\(marker)\" (\(what))")])
                }
            }
            return .pass
        },
        HTTPRule(.http(
            "http.disclosure.directory-listing", .high,
            vi: "Bật liệt kê thư mục (directory listing)", en: "Directory listing enabled",
            fixVi: "Tắt liệt kê thư mục (nginx: autoindex off; Apache: Options -Indexes; IIS: directoryBrowse enabled=\"false\").",
            fixEn: "Turn directory listing off (nginx: autoindex off; Apache: Options -Indexes; IIS: directoryBrowse enabled=\"false\").",
            requirements: ["A05-06"]
        )) { http, _, _ in
            var drafts: [FindingDraft] = []
            let candidates = [http.landing].compactMap { $0 } + http.paths.results.filter { !$0.sameAsNotFound }.compactMap(\.exchange)
            for exchange in candidates where exchange.status == 200 {
                guard let marker = listingMarkers.first(where: { exchange.bodyExcerpt.contains($0) }) else { continue }
                guard !drafts.contains(where: { $0.subject == exchange.url }) else { continue }
                drafts.append(FindingDraft(subject: exchange.url, evidence: exchange.summary + "; body contains \"\(marker)\""))
            }
            return drafts.isEmpty ? .pass : .fail(drafts)
        },
    ]

    // MARK: methods

    static let riskyMethods = ["TRACE", "TRACK", "CONNECT", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "DEBUG"]

    static let methodRules: [HTTPRule] = [
        HTTPRule(.http(
            "http.method.trace", .medium,
            vi: "Máy chủ chấp nhận phương thức TRACE", en: "TRACE method enabled",
            fixVi: "Tắt TRACE (Apache: TraceEnable off; nginx: if ($request_method !~ ^(GET|HEAD|POST)$) { return 405; }; IIS: requestFiltering).",
            fixEn: "Disable TRACE (Apache: TraceEnable off; nginx: if ($request_method !~ ^(GET|HEAD|POST)$) { return 405; }; IIS: requestFiltering).",
            requirements: ["A05-08"], references: ["CWE-693 (cross-site tracing)"]
        )) { http, _, _ in
            guard let trace = http.trace else { return http.limitReached ? .inconclusive("TRACE not sent (request limit)") : .notApplicable }
            guard trace.status != nil else { return .inconclusive("no answer to TRACE: \(trace.error?.reason ?? "")") }
            let echoed = trace.bodyExcerpt.contains("TRACE ") || trace.bodyExcerpt.contains("X-Sansang-Trace")
            return trace.status == 200 && echoed ? .fail([FindingDraft(subject: "TRACE", evidence: exchangeEvidence(trace, body: true) + "; the request was echoed")]) : .pass
        },
        HTTPRule(.http(
            "http.method.unexpected", .low,
            vi: "Máy chủ khai báo phương thức nguy hiểm (WebDAV, TRACE, CONNECT) trong Allow", en: "Risky methods (WebDAV, TRACE, CONNECT) listed in Allow",
            fixVi: "Chỉ cho phép GET, HEAD, POST (và OPTIONS khi cần CORS); tắt WebDAV.", fixEn: "Allow only GET, HEAD, POST (and OPTIONS for CORS); disable WebDAV.",
            requirements: ["A05-08"]
        )) { http, _, _ in
            guard let options = http.options else { return .notApplicable }
            let risky = (http.allowedMethods ?? []).filter { riskyMethods.contains($0) }
            return risky.isEmpty ? .pass : .fail([FindingDraft(subject: risky.joined(separator: ","), evidence: exchangeEvidence(options, headers: ["Allow", "Access-Control-Allow-Methods"]))])
        },
    ]

    // MARK: exposed paths (A05-06, C06-06)

    static func exposedPathRule(_ check: ExposedPathCheck) -> HTTPRule {
        HTTPRule(RuleMeta(
            id: check.ruleId, severity: check.severity, title: check.title, remediation: check.remediation,
            requirements: check.requirements, probe: "http", references: ["Checks/http/exposed-paths.json"]
        )) { http, _, _ in
            guard let result = http.paths.results.first(where: { $0.id == check.ruleId }) else {
                return http.paths.error.map { .inconclusive($0) } ?? .notApplicable
            }
            if let skipped = result.skipped { return .inconclusive("not requested: \(skipped)") }
            guard let exchange = result.exchange, exchange.status != nil else {
                return .inconclusive("no answer: \(result.exchange?.error?.reason ?? "")")
            }
            guard result.confirmed else { return .pass }
            if result.sameAsNotFound {
                return .pass  // the site answers every path alike (soft 404); the marker is part of that page
            }
            return .fail([FindingDraft(subject: check.path, evidence: exchangeEvidence(exchange, headers: ["Content-Type"], body: true))])
        }
    }

    static let pathRules: [HTTPRule] = [
        HTTPRule(.http(
            "http.path.catalog", .medium,
            vi: "Không đọc được danh sách đường dẫn nhạy cảm", en: "The exposed-path check file could not be read",
            fixVi: "Sửa hoặc chỉ ra tệp Checks/http/exposed-paths.json (lỗi ghi rõ dòng).", fixEn: "Fix or point to Checks/http/exposed-paths.json (the error names the line).",
            requirements: ["A05-06"]
        )) { http, _, _ in
            if let error = http.paths.error { return .inconclusive(error) }
            return .pass
        },
        HTTPRule(.http(
            "http.security-txt.missing", .low,
            vi: "Thiếu /.well-known/security.txt", en: "No /.well-known/security.txt",
            fixVi: "Công bố /.well-known/security.txt (RFC 9116) với Contact: và Expires: để tiếp nhận báo cáo lỗ hổng.",
            fixEn: "Publish /.well-known/security.txt (RFC 9116) with Contact: and Expires: for vulnerability reports.",
            requirements: ["A05-09"], references: ["RFC 9116"]
        )) { http, _, _ in
            guard let exchange = http.securityTxt else { return http.limitReached ? .inconclusive("not requested (request limit)") : .notApplicable }
            guard let status = exchange.status else { return .inconclusive("no answer: \(exchange.error?.reason ?? "")") }
            if status == 200 && exchange.bodyExcerpt.range(of: "contact:", options: .caseInsensitive) != nil { return .pass }
            return .fail([FindingDraft(subject: "/.well-known/security.txt", evidence: exchange.summary + (status == 200 ? "; no Contact: field (a catch-all page?)" : ""))])
        },
    ]

    // MARK: grade

    static let gradeRule = HTTPRule(.http(
        "http.grade", .low,
        vi: "Điểm bảo mật web dưới mức B", en: "Web security grade below B",
        fixVi: "Khắc phục các mục bị trừ điểm (xem bằng chứng), bắt đầu từ mục trừ nhiều nhất.",
        fixEn: "Fix the deductions listed in the evidence, largest first.",
        requirements: ["A05-08"], references: ["Mozilla HTTP Observatory scoring"]
    )) { http, _, _ in
        guard http.landing?.status != nil else { return .inconclusive("no page answered") }
        let score = WebScore.evaluate(http)
        return score.score >= 70 ? .pass : .fail([FindingDraft(subject: "grade", evidence: score.summary)])
    }
}
