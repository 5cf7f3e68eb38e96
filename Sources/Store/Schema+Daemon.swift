import GRDB

extension Schema {
    /// The daemon's tables: API tokens (only a SHA-256 of the secret is kept) and the scan job
    /// queue. A scheduled job is unique per (system, due time, kind), so a restart that enqueues
    /// the same cron fire again adds nothing.
    static func registerDaemon(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-daemon-tokens-jobs") { db in
            try db.execute(sql: """
                CREATE TABLE api_tokens (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    owner TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'engineer', 'auditor', 'ci')),
                    secret_sha256 TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL,
                    created_by TEXT NOT NULL,
                    last_used_at REAL,
                    revoked_at REAL
                );

                CREATE TABLE jobs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    system_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('scheduled', 'manual')),
                    due_at REAL NOT NULL,
                    requested_by TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'interrupted', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    scan_id INTEGER REFERENCES scans(id),
                    queued_at REAL NOT NULL,
                    started_at REAL,
                    deadline_at REAL,
                    finished_at REAL,
                    detail TEXT,
                    UNIQUE (system_id, due_at, kind)
                );
                CREATE INDEX jobs_by_state ON jobs(state, due_at);
                """)
        }
    }
}
