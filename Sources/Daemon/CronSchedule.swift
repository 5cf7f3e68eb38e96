public import Foundation
public import SansangCore

/// A standard 5-field cron expression (minute hour day-of-month month day-of-week) with lists,
/// ranges, steps, month and weekday names, and the @hourly/@daily/@weekly/@monthly/@yearly
/// shorthands. As in Vixie cron, when both day fields are restricted a day matching either fires.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool
    public let timeZone: TimeZone

    public var description: String { expression }

    public static let defaultTimeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? TimeZone(secondsFromGMT: 7 * 3600)!

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    private static let shorthands = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]

    /// Parses `expression`; throws `.configuration` naming the field and the bad value.
    public init(_ expression: String, timeZone: TimeZone = CronSchedule.defaultTimeZone) throws(SansangError) {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        let text = Self.shorthands[trimmed.lowercased()] ?? trimmed
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw SansangError(.configuration, "cron '\(expression)': expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        self.expression = trimmed
        self.timeZone = timeZone
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [], expression: expression)
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [], expression: expression)
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", range: 1...31, names: [], expression: expression)
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, expression: expression)
        // 7 is Sunday too.
        let weekdays = try Self.field(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames, expression: expression)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String], expression: String) throws(SansangError) -> Set<Int> {
        func fail(_ why: String) -> SansangError { SansangError(.configuration, "cron '\(expression)': \(name) '\(text)': \(why)") }
        func value(_ token: Substring) throws(SansangError) -> Int {
            if let number = Int(token) {
                guard range.contains(number) else { throw fail("\(number) is outside \(range.lowerBound)-\(range.upperBound)") }
                return number
            }
            if let index = names.firstIndex(of: token.lowercased()) { return index + (range.lowerBound == 1 ? 1 : 0) }
            throw fail("'\(token)' is not a number\(names.isEmpty ? "" : " or a name")")
        }
        var out = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw fail("empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw fail("more than one step") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0, parsed <= range.upperBound else { throw fail("step '\(pieces[1])' must be 1-\(range.upperBound)") }
                step = parsed
            }
            let base = pieces[0]
            var low: Int, high: Int
            if base == "*" {
                low = range.lowerBound; high = range.upperBound
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash])
                high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw fail("range \(low)-\(high) runs backwards") }
            } else {
                low = try value(base)
                high = pieces.count == 2 ? range.upperBound : low
            }
            out.formUnion(stride(from: low, through: high, by: step))
        }
        return out
    }

    func matchesDay(_ components: DateComponents) -> Bool {
        guard let day = components.day, let weekday = components.weekday else { return false }
        let dom = daysOfMonth.contains(day)
        let dow = daysOfWeek.contains(weekday - 1)
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return dom || dow
        case (true, false): return dom
        case (false, true): return dow
        case (false, false): return true
        }
    }

    /// The first fire strictly after `date`, or nil when none comes within about five years
    /// (e.g. `0 0 31 2 *`). Bounded: at most a few thousand calendar steps.
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard var candidate = calendar.date(from: start).flatMap({ calendar.date(byAdding: .minute, value: 1, to: $0) }) else { return nil }
        let limit = date.addingTimeInterval(5 * 366 * 86400)
        for _ in 0..<100_000 {
            guard candidate <= limit else { return nil }
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            guard let month = c.month, let hour = c.hour, let minute = c.minute else { return nil }
            if !months.contains(month) {
                guard let firstOfMonth = calendar.date(from: DateComponents(year: c.year, month: month, day: 1)),
                      let next = calendar.date(byAdding: .month, value: 1, to: firstOfMonth) else { return nil }
                candidate = next
                continue
            }
            if !matchesDay(c) {
                guard let midnight = calendar.date(from: DateComponents(year: c.year, month: month, day: c.day)),
                      let next = calendar.date(byAdding: .day, value: 1, to: midnight) else { return nil }
                candidate = next
                continue
            }
            if !hours.contains(hour) {
                guard let top = calendar.date(from: DateComponents(year: c.year, month: month, day: c.day, hour: hour)),
                      let next = calendar.date(byAdding: .hour, value: 1, to: top) else { return nil }
                candidate = next
                continue
            }
            if !minutes.contains(minute) {
                guard let next = calendar.date(byAdding: .minute, value: 1, to: candidate) else { return nil }
                candidate = next
                continue
            }
            return candidate
        }
        return nil
    }
}
