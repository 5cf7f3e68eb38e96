import GRDB

/// Named migrations, written in SQL; a shipped migration never changes.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-scans-findings-events") { db in
            try db.execute(sql: """
                CREATE TABLE scans (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    system_id TEXT NOT NULL,
                    trigger TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    tool_version TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete', 'interrupted')),
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    pid INTEGER,
                    host TEXT,
                    finding_count INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX scans_by_system ON scans(system_id, id);

                CREATE TABLE scan_endpoints (
                    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
                    endpoint TEXT NOT NULL,
                    complete INTEGER NOT NULL,
                    facts TEXT NOT NULL,
                    passed TEXT NOT NULL,
                    inconclusive TEXT NOT NULL,
                    PRIMARY KEY (scan_id, endpoint)
                ) WITHOUT ROWID;

                CREATE TABLE findings (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    fingerprint TEXT NOT NULL UNIQUE,
                    system_id TEXT NOT NULL,
                    rule_id TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    severity TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
                    title_vi TEXT NOT NULL,
                    title_en TEXT NOT NULL,
                    remediation_vi TEXT NOT NULL,
                    remediation_en TEXT NOT NULL,
                    requirements TEXT NOT NULL,
                    evidence TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'in_progress', 'fixed', 'reopened', 'risk_accepted', 'false_positive')),
                    first_seen_scan INTEGER NOT NULL REFERENCES scans(id),
                    last_seen_scan INTEGER NOT NULL REFERENCES scans(id),
                    first_seen_at REAL NOT NULL,
                    last_seen_at REAL NOT NULL,
                    sightings INTEGER NOT NULL DEFAULT 1,
                    due_at REAL,
                    accepted_until REAL,
                    accepted_by TEXT,
                    state_reason TEXT,
                    state_changed_at REAL NOT NULL,
                    state_changed_by TEXT NOT NULL
                );
                CREATE INDEX findings_by_system ON findings(system_id, state, severity);
                CREATE INDEX findings_by_state ON findings(state, severity);
                CREATE INDEX findings_by_due ON findings(due_at);

                CREATE TABLE sightings (
                    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
                    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
                    evidence TEXT NOT NULL,
                    PRIMARY KEY (scan_id, finding_id)
                ) WITHOUT ROWID;

                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    finding_id INTEGER REFERENCES findings(id),
                    scan_id INTEGER REFERENCES scans(id),
                    from_state TEXT,
                    to_state TEXT,
                    reason TEXT
                );
                CREATE INDEX events_by_finding ON events(finding_id);
                CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                """)
        }
        registerAttestations(&migrator)
        registerDaemon(&migrator)
        return migrator
    }
}

extension Schema {
    /// Attestations: controls only evidence can show, recorded with who, when and until when.
    static func registerAttestations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-attestations") { db in
            try db.execute(sql: """
                CREATE TABLE attestations (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    system_id TEXT NOT NULL,
                    requirement_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('control', 'not-applicable')),
                    statement TEXT NOT NULL,
                    document TEXT,
                    file TEXT,
                    sha256 TEXT,
                    link TEXT,
                    attested_by TEXT NOT NULL,
                    attested_at REAL NOT NULL,
                    expires_at REAL,
                    revoked_at REAL
                );
                CREATE INDEX attestations_by_system ON attestations(system_id, requirement_id);
                """)
        }
    }
}
