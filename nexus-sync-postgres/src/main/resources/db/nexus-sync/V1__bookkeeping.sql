-- nexus-sync's own bookkeeping. Not in the publication, so nothing here is ever captured.
CREATE TABLE IF NOT EXISTS nexus_sync.transaction_log (
    id                 bigserial PRIMARY KEY,
    logged_at          timestamptz NOT NULL DEFAULT now(),
    kind               text        NOT NULL CHECK (kind IN ('batch', 'operation')),
    status             text        NOT NULL,
    operation          text        NOT NULL,
    from_lsn           pg_lsn,
    to_lsn             pg_lsn,
    changes            integer,
    node_rows          bigint,
    relationship_rows  bigint,
    cross_references   integer,
    duration_ms        bigint,
    entity_pg          text,
    entity_neo4j       text,
    change_data        text,
    error              text,
    retry_count        integer,
    next_attempt_at    timestamptz
);
CREATE INDEX IF NOT EXISTS transaction_log_logged_at ON nexus_sync.transaction_log (logged_at);

CREATE TABLE IF NOT EXISTS nexus_sync.dead_letter (
    id            bigserial PRIMARY KEY,
    created_at    timestamptz NOT NULL DEFAULT now(),
    table_name    text        NOT NULL,
    entity_key    text        NOT NULL,
    lsn           pg_lsn,
    change_data   text        NOT NULL,
    error         text        NOT NULL,
    status        text        NOT NULL DEFAULT 'open',
    resolved_at   timestamptz,
    resolution    text
);

CREATE TABLE IF NOT EXISTS nexus_sync.reconciliation_log (
    id           bigserial PRIMARY KEY,
    checked_at   timestamptz NOT NULL DEFAULT now(),
    entity_type  text        NOT NULL,
    entity_key   text        NOT NULL,
    finding      text        NOT NULL,
    action       text        NOT NULL,
    detail       text
);
