/// A list of TCP ports to scan, parsed from what a user types: `22,80,443`, `1-1024`,
/// `top-100`, `top-1000`, `all`, or a comma-separated mix (`top-100,8000-8100`).
public struct PortSpec: Sendable, Hashable, CustomStringConvertible {
    /// The text as given, normalised (spaces removed, lower case).
    public let text: String
    /// Unique ports, ascending.
    public let ports: [Int]

    public init(_ text: String) throws(SansangError) {
        let normalised = text.lowercased().filter { !$0.isWhitespace }
        guard !normalised.isEmpty else { throw SansangError(.configuration, "empty port list; use e.g. 22,80,443, 1-1024, top-100, top-1000 or all") }
        var set = Set<Int>()
        for item in normalised.split(separator: ",", omittingEmptySubsequences: false) {
            switch item {
            case "": throw SansangError(.configuration, "port list '\(text)': empty item between commas")
            case "all": set.formUnion(1...65535)
            case "top-100": set.formUnion(CommonPorts.top100)
            case "top-1000": set.formUnion(CommonPorts.top1000)
            default:
                if item.hasPrefix("top-") {
                    throw SansangError(.configuration, "port list '\(text)': '\(item)' is not a known list; use top-100 or top-1000")
                }
                let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw SansangError(.configuration, "port list '\(text)': '\(item)' is not a port or a range like 1-1024") }
                let numbers = try bounds.map { (bound: Substring) throws(SansangError) -> Int in
                    guard !bound.isEmpty, bound.count <= 5, bound.allSatisfy(\.isNumber), let value = Int(bound), (1...65535).contains(value) else {
                        throw SansangError(.configuration, "port list '\(text)': '\(bound)' is not a port number from 1 to 65535")
                    }
                    return value
                }
                if numbers.count == 2 {
                    guard numbers[0] <= numbers[1] else {
                        throw SansangError(.configuration, "port list '\(text)': range '\(item)' runs backwards")
                    }
                    set.formUnion(numbers[0]...numbers[1])
                } else {
                    set.insert(numbers[0])
                }
            }
        }
        self.text = normalised
        self.ports = set.sorted()
    }

    public var description: String { text }
}

/// Commonly exposed TCP service ports, as data. Our own selection, ordered by how often the
/// service is found exposed on government and enterprise networks (web, remote administration,
/// mail, directories, databases, container and cluster APIs, management consoles).
public enum CommonPorts {
    public static let top100: [Int] = [
        80, 443, 22, 21, 23, 25, 3389, 8080, 8443, 3306,
        5432, 1433, 1521, 6379, 27017, 9200, 2375, 2376, 6443, 445,
        139, 135, 389, 636, 993, 995, 465, 587, 110, 143,
        53, 111, 2049, 5900, 5901, 5985, 5986, 10000, 8000, 8008,
        8081, 8088, 8888, 9000, 9090, 9443, 4443, 81, 88, 113,
        119, 179, 199, 427, 444, 512, 513, 514, 515, 548,
        554, 631, 873, 990, 1025, 1080, 1194, 1723, 1883, 2082,
        2083, 2087, 2121, 2181, 2222, 2379, 3000, 3128, 3268, 4848,
        5000, 5060, 5222, 5601, 5672, 5984, 7001, 7474, 8006, 8009,
        9042, 9092, 9100, 9300, 10250, 11211, 15672, 27018, 50000, 50070,
    ]

    /// Further service ports beyond the top 100 (the rest of the top 1000 is filled from 1–1024 in order).
    static let more: [Int] = [
        1026, 1027, 1028, 1029, 1030, 1110, 1234, 1352, 1414, 1434, 1500, 1583, 1604, 1720, 1755, 1812, 1900,
        2000, 2001, 2002, 2010, 2100, 2103, 2200, 2221, 2301, 2380, 2381, 2483, 2484, 2525, 2601, 2604, 2638, 2809,
        3001, 3005, 3030, 3050, 3260, 3269, 3283, 3299, 3300, 3333, 3351, 3372, 3443, 3478, 3690, 3702, 3780, 3790, 3871,
        4000, 4040, 4063, 4100, 4200, 4242, 4369, 4430, 4444, 4500, 4567, 4662, 4712, 4786, 4899,
        5001, 5002, 5003, 5004, 5005, 5009, 5038, 5050, 5051, 5061, 5080, 5101, 5190, 5269, 5280, 5357, 5400,
        5431, 5433, 5434, 5500, 5555, 5631, 5632, 5666, 5671, 5800, 5801, 5802, 5902, 5903, 5904, 5905, 5906,
        5907, 5908, 5909, 5910, 5938, 6000, 6001, 6002, 6003, 6004, 6005, 6006, 6007, 6080, 6082, 6346, 6380,
        6381, 6488, 6514, 6543, 6556, 6566, 6600, 6646, 6660, 6661, 6662, 6663, 6664, 6665, 6666, 6667, 6668, 6669,
        6697, 6789, 6881, 6969, 7000, 7002, 7070, 7071, 7077, 7100, 7199, 7200, 7443, 7547, 7687, 7777, 7778,
        8001, 8002, 8003, 8005, 8010, 8011, 8012, 8020, 8025, 8030, 8042, 8060, 8069, 8083, 8084, 8085, 8086,
        8087, 8089, 8090, 8091, 8092, 8093, 8096, 8098, 8099, 8100, 8112, 8123, 8140, 8161, 8180, 8181, 8200,
        8222, 8243, 8280, 8281, 8300, 8333, 8383, 8400, 8444, 8445, 8480, 8500, 8530, 8531, 8545, 8600, 8649,
        8686, 8765, 8800, 8834, 8880, 8881, 8883, 8886, 8887, 8889, 8983, 8989, 8999, 9001, 9002, 9003, 9009,
        9010, 9030, 9043, 9050, 9051, 9060, 9080, 9081, 9091, 9093, 9094, 9099, 9101, 9102, 9103, 9110, 9111,
        9160, 9191, 9201, 9290, 9301, 9415, 9418, 9500, 9502, 9503, 9535, 9575, 9593, 9594, 9595, 9618, 9666,
        9800, 9876, 9877, 9898, 9900, 9917, 9943, 9944, 9968, 9981, 9990, 9998, 9999, 10001, 10002, 10003,
        10004, 10009, 10010, 10050, 10051, 10080, 10243, 10255, 10443, 11111, 11214, 12000, 12345, 13720,
        13782, 14000, 14147, 15000, 16010, 16080, 16992, 16993, 17000, 18080, 18081, 18091, 18264, 19000,
        19999, 20000, 20031, 22222, 23023, 24800, 25565, 25672, 26214, 28017, 30000, 30718, 31337, 32400,
        32768, 32769, 33060, 33389, 37777, 40000, 44443, 44818, 47001, 49152, 49153, 49154, 49155, 49156,
        49157, 50030, 50075, 50090, 50100, 54321, 55553, 60000, 61616, 62078, 64738,
    ]

    /// Exactly 1000 ports: the top 100, the further service ports, then the well-known range 1–1024 in order.
    public static let top1000: [Int] = {
        var seen = Set<Int>()
        var out: [Int] = []
        for port in top100 + more + Array(1...1024) where out.count < 1000 && seen.insert(port).inserted {
            out.append(port)
        }
        return out
    }()
}
