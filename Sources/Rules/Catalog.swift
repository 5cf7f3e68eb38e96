public import SansangCore

/// Every built-in rule, for `sansang checks list` and the engine.
public enum RuleCatalog {
    /// The base rules plus the rule of the chosen TLS policy.
    public static func rules(tlsPolicy: TLSPolicy) -> [any Rule] {
        TLSRules.all + [tlsPolicy.rule] + HTTPRules.all + PortRules.all + configRules
    }

    /// Every rule, with every policy's rule, for listing.
    public static var everything: [any Rule] {
        TLSRules.all + TLSPolicy.builtin.map(\.rule) + HTTPRules.all + PortRules.all + configRules
    }

    /// Configuration, client-certificate and plugin rules (issue 5).
    static var configRules: [any Rule] {
        ConfigRules.all + ClientCertificateRules.all + [PluginRules.error]
    }
}
