/// A moment in UTC to the millisecond, written ISO 8601 with `Z`: `2026-11-30T10:15:00Z`,
/// `2026-11-30T10:15:00.250Z`. Years 0001 to 9999, as XML Schema's `dateTime` and most
/// databases keep them. Stored as milliseconds since 1970-01-01T00:00:00Z.
public struct DateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    static let millisecondsPerDay: Int64 = 86_400_000
    /// The first and last moments a datetime may be: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
    public static let range: ClosedRange<Int64> =
        CalendarDate(year: 1, month: 1, day: 1)!.daysSinceEpoch * millisecondsPerDay
        ... (CalendarDate(year: 9999, month: 12, day: 31)!.daysSinceEpoch + 1) * millisecondsPerDay - 1

    /// The moment a day begins (midnight UTC): how a date compares with a datetime.
    public init(startOf date: CalendarDate) {
        millisecondsSinceEpoch = date.daysSinceEpoch * DateTime.millisecondsPerDay
    }

    /// The day (UTC) the moment falls on.
    public var date: CalendarDate {
        let (days, rest) = millisecondsSinceEpoch.quotientAndRemainder(dividingBy: DateTime.millisecondsPerDay)
        return CalendarDate(daysSinceEpoch: rest < 0 ? days - 1 : days)
    }

    /// Why a text is not a datetime, for an error message.
    public enum ParseFailure: Error, Equatable, Sendable {
        /// Not of the form `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
        case malformed
        /// Of the form, but no such moment (month 13, hour 24, 2013-02-29) or outside years 1-9999.
        case outOfRange
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ`, optionally with one to three digits of fractions of a second.
    public static func parse<Text: Collection<UInt8>>(_ text: Text) -> Result<DateTime, ParseFailure> {
        let b = Array(text)
        func digits(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var n: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int64(b[i] - UInt8(ascii: "0"))
            }
            return n
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b.last == UInt8(ascii: "Z"),
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2) else { return .failure(.malformed) }
        var milliseconds: Int64 = 0
        if b.count > 20 {
            let fraction = b.count - 21
            guard b[19] == UInt8(ascii: "."), (1...3).contains(fraction), let f = digits(20, fraction) else { return .failure(.malformed) }
            milliseconds = f * [100, 10, 1][fraction - 1]
        }
        guard year >= 1, hour < 24, minute < 60, second < 60,
              let date = CalendarDate(year: year, month: month, day: day) else { return .failure(.outOfRange) }
        return .success(DateTime(millisecondsSinceEpoch: DateTime(startOf: date).millisecondsSinceEpoch
                                 + ((hour * 60 + minute) * 60 + second) * 1000 + milliseconds))
    }

    /// The datetime a text names, nil when it names none.
    public init?(iso text: Substring) {
        guard case .success(let moment) = DateTime.parse(text.utf8) else { return nil }
        self = moment
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, with milliseconds only when there are some (`.250`).
    public var description: String {
        let day = date
        let rest = millisecondsSinceEpoch - DateTime(startOf: day).millisecondsSinceEpoch
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = "\(day)T\(two(rest / 3_600_000)):\(two(rest / 60_000 % 60)):\(two(rest / 1000 % 60))"
        if rest % 1000 != 0 {
            var fraction = String(rest % 1000 + 1000).dropFirst()
            while fraction.last == "0" { fraction = fraction.dropLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    public static func < (a: DateTime, b: DateTime) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }
}
