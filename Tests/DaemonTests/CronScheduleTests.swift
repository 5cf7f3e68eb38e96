import Foundation
import Testing
import Daemon
import SansangCore

@Suite struct CronScheduleTests {
    static let zone = CronSchedule.defaultTimeZone

    static func date(_ text: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    @Test(arguments: [
        ("0 2 * * *", "2026-11-23 01:59", "2026-11-23 02:00"),
        ("0 2 * * *", "2026-11-23 02:00", "2026-11-24 02:00"),
        ("*/15 * * * *", "2026-11-23 10:07", "2026-11-23 10:15"),
        ("30 1-3 * * *", "2026-11-23 03:30", "2026-11-24 01:30"),
        ("0 0 1 * *", "2026-12-15 00:00", "2027-01-01 00:00"),
        ("0 22 * * mon-fri", "2026-11-28 12:00", "2026-11-30 22:00"), // Saturday → Monday
        ("0 6 * * 0", "2026-11-23 00:00", "2026-11-29 06:00"),        // Sunday
        ("0 6 * * 7", "2026-11-23 00:00", "2026-11-29 06:00"),        // 7 is Sunday too
        ("0 0 29 feb *", "2026-03-01 00:00", "2028-02-29 00:00"),     // leap day
        ("0 12 13 * fri", "2026-11-01 00:00", "2026-11-06 12:00"),    // either day field (Friday 6/11)
        ("5,10 4 * jan,jul *", "2026-11-23 00:00", "2027-01-01 04:05"),
        ("@daily", "2026-11-23 13:00", "2026-11-24 00:00"),
    ])
    func nextFire(expression: String, after: String, expected: String) throws {
        let cron = try CronSchedule(expression)
        #expect(cron.next(after: Self.date(after)) == Self.date(expected))
    }

    @Test func theTimeZoneIsHoChiMinhByDefault() throws {
        // 02:00 in Hà Nội is 19:00 UTC the day before.
        let cron = try CronSchedule("0 2 * * *")
        let next = try #require(cron.next(after: Date(timeIntervalSince1970: 1_795_000_000)))
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        #expect(utc.component(.hour, from: next) == 19)
    }

    @Test func impossibleDatesNeverFire() throws {
        #expect(try CronSchedule("0 0 31 2 *").next(after: Self.date("2026-01-01 00:00")) == nil)
    }

    @Test(arguments: ["", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *", "a * * * *", "1,,2 * * * *", "* * * * * *"])
    func badExpressionsAreRefusedWithTheField(expression: String) {
        #expect(throws: SansangError.self) { try CronSchedule(expression) }
    }

    @Test func theErrorNamesTheField() {
        do {
            _ = try CronSchedule("0 25 * * *")
            Issue.record("accepted hour 25")
        } catch {
            #expect(error.reason.contains("hour"))
            #expect(error.code == .configuration)
        }
    }
}
