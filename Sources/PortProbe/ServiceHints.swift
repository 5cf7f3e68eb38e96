/// What usually listens on a port, and which light probe identifies it. Only a hint: what the
/// service says wins, and a port identified by number alone is reported as such.
enum ServiceHints {
    enum Probe: Sendable { case greeting, http, tls, postgres, ldap, redis, mongo, tds, tns, rdp, smb }

    static let byPort: [Int: String] = [
        21: "ftp", 2121: "ftp", 990: "ftps", 22: "ssh", 2222: "ssh", 23: "telnet", 2323: "telnet",
        25: "smtp", 465: "smtps", 587: "smtp", 2525: "smtp", 110: "pop3", 995: "pop3s", 143: "imap", 993: "imaps",
        53: "domain", 80: "http", 81: "http", 8000: "http", 8008: "http", 8080: "http", 8081: "http", 8088: "http", 8888: "http",
        443: "https", 8443: "https", 9443: "https", 4443: "https", 10443: "https",
        111: "rpcbind", 135: "msrpc", 139: "netbios-ssn", 445: "smb", 389: "ldap", 3268: "ldap", 636: "ldaps", 3269: "ldaps",
        199: "smux", 705: "agentx", 161: "snmp", 512: "rexec", 513: "rlogin", 514: "rsh", 873: "rsync",
        3306: "mysql", 33060: "mysqlx", 5432: "postgresql", 5433: "postgresql", 1433: "mssql", 1434: "mssql",
        1521: "oracle-tns", 1522: "oracle-tns", 2483: "oracle-tns", 2484: "oracle-tns", 6379: "redis", 6380: "redis",
        27017: "mongodb", 27018: "mongodb", 27019: "mongodb", 28017: "mongodb", 9200: "elasticsearch", 9300: "elasticsearch",
        11211: "memcached", 5984: "couchdb", 9042: "cassandra", 7199: "cassandra", 7474: "neo4j", 7687: "neo4j",
        8086: "influxdb", 2379: "etcd", 2380: "etcd", 50000: "db2", 3050: "firebird", 8091: "couchbase",
        3389: "rdp", 5900: "vnc", 5901: "vnc", 5902: "vnc", 5903: "vnc", 5800: "vnc-http", 5985: "winrm", 5986: "winrm",
        2375: "docker-api", 2376: "docker-api", 6443: "kubernetes-api", 10250: "kubelet", 10255: "kubelet",
        10000: "webmin", 20000: "webmin", 2082: "cpanel", 2083: "cpanel", 2086: "whm", 2087: "whm", 9090: "cockpit",
        8006: "proxmox", 4848: "glassfish-admin", 9990: "wildfly-admin", 7001: "weblogic", 15672: "rabbitmq-admin",
        5601: "kibana", 8161: "activemq-admin", 2181: "zookeeper", 9092: "kafka", 5672: "amqp", 1883: "mqtt",
        3128: "http-proxy", 1080: "socks", 1723: "pptp", 1194: "openvpn", 5060: "sip", 5222: "xmpp", 3000: "http",
        9000: "http", 9100: "jetdirect", 631: "ipp", 548: "afp", 554: "rtsp", 2049: "nfs", 88: "kerberos",
        16992: "intel-amt", 16993: "intel-amt", 4786: "cisco-smart-install", 47001: "winrm", 5938: "teamviewer", 4899: "radmin",
    ]

    /// Services that greet first: wait longer for their banner before probing.
    static let greets: Set<String> = ["ftp", "ssh", "telnet", "smtp", "pop3", "imap", "mysql", "vnc", "rsync"]

    /// Ports where TLS comes first (implicit TLS).
    static let implicitTLS: Set<Int> = [443, 8443, 9443, 4443, 10443, 465, 990, 993, 995, 636, 3269, 2376, 6443, 10250, 5986, 2083, 2087, 8006, 16993, 7443, 3443, 44443]

    /// The probes to try when the service did not speak first, most likely first (at most three connections).
    static func probes(for port: Int) -> [Probe] {
        if implicitTLS.contains(port) { return [.tls, .http] }
        switch byPort[port] {
        case "postgresql": return [.postgres, .http]
        case "ldap": return [.ldap, .http]
        case "redis": return [.redis]
        case "mongodb": return [.mongo, .http]
        case "mssql": return [.tds]
        case "oracle-tns": return [.tns]
        case "rdp": return [.rdp, .tls]
        case "smb", "netbios-ssn": return [.smb]
        default: return [.http, .tls]
        }
    }
}
