-- Critical writes (issue 14): an application prepares 'nexus_sync:<id>' instead of committing, and nexus-sync commits
-- it (or rolls it back) in PostgreSQL once the graph has decided. One row per critical transaction nexus-sync finished,
-- written BEFORE its COMMIT PREPARED / ROLLBACK PREPARED, so that the reason of a rollback is never lost and
-- `nexus-sync critical status` can answer once pg_prepared_xacts no longer shows it.
-- xid8 is the transaction's full id (epoch and xid), read from pg_prepared_xacts while it was still prepared:
-- pg_xact_status(xid8) is the truth of what became of it (someone else may have finished it). outcome is what the
-- graph decided, decided_by who decided it (stream, recovery); finished_at and result ('committed', 'rolled_back')
-- what PostgreSQL answered (null until it was told, or when it was no longer prepared and its outcome is unknown).
CREATE TABLE IF NOT EXISTS nexus_sync.critical_transaction (
    gid          text        PRIMARY KEY,
    xid8         bigint,
    outcome      text        NOT NULL CHECK (outcome IN ('commit', 'rollback')),
    reason       text,
    decided_by   text,
    prepared_at  timestamptz,
    decided_at   timestamptz,
    finished_at  timestamptz,
    result       text        CHECK (result IN ('committed', 'rolled_back')),
    CHECK ((result IS NULL) = (finished_at IS NULL))
);
