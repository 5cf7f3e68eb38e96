/// Key-exchange groups (TLS Supported Groups registry) and their strength.
public enum NamedGroup {
    public static let all: [(code: UInt16, name: String, bits: Int)] = [
        (0x0001, "sect163k1", 80), (0x0002, "sect163r1", 80), (0x0003, "sect163r2", 80),
        (0x0004, "sect193r1", 96), (0x0005, "sect193r2", 96), (0x0006, "sect233k1", 112),
        (0x0007, "sect233r1", 112), (0x0008, "sect239k1", 112), (0x0009, "sect283k1", 128),
        (0x000A, "sect283r1", 128), (0x000B, "sect409k1", 192), (0x000C, "sect409r1", 192),
        (0x000D, "sect571k1", 256), (0x000E, "sect571r1", 256), (0x000F, "secp160k1", 80),
        (0x0010, "secp160r1", 80), (0x0011, "secp160r2", 80), (0x0012, "secp192k1", 96),
        (0x0013, "secp192r1", 96), (0x0014, "secp224k1", 112), (0x0015, "secp224r1", 112),
        (0x0016, "secp256k1", 128), (0x0017, "secp256r1", 128), (0x0018, "secp384r1", 192),
        (0x0019, "secp521r1", 256), (0x001A, "brainpoolP256r1", 128), (0x001B, "brainpoolP384r1", 192),
        (0x001C, "brainpoolP512r1", 256), (0x001D, "x25519", 128), (0x001E, "x448", 224),
        (0x001F, "brainpoolP256r1tls13", 128), (0x0020, "brainpoolP384r1tls13", 192),
        (0x0021, "brainpoolP512r1tls13", 256),
        (0x0100, "ffdhe2048", 112), (0x0101, "ffdhe3072", 128), (0x0102, "ffdhe4096", 152),
        (0x0103, "ffdhe6144", 176), (0x0104, "ffdhe8192", 192),
        (0x0200, "MLKEM512", 128), (0x0201, "MLKEM768", 192), (0x0202, "MLKEM1024", 256),
        (0x11EB, "SecP256r1MLKEM768", 192), (0x11EC, "X25519MLKEM768", 192), (0x11ED, "SecP384r1MLKEM1024", 256),
        (0x6399, "X25519Kyber768Draft00", 192),
    ]

    public static let codes: [UInt16] = all.map(\.code)
    /// Elliptic-curve groups usable in a TLS ≤ 1.2 ECDHE key exchange.
    public static let ellipticCurves: [UInt16] = all.map(\.code).filter { $0 <= 0x0021 }

    public static func name(_ code: UInt16) -> String {
        all.first { $0.code == code }?.name ?? "0x" + String(code, radix: 16, uppercase: true).leftPadded(to: 4)
    }

    public static func bits(_ name: String) -> Int? { all.first { $0.name == name }?.bits }
}
