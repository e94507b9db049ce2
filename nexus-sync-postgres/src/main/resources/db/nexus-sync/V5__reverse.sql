-- Reverse sync: graph edits written to PostgreSQL (issue 13).

-- Per graph (the service's slot name), the seq of the last outbox entry applied. It is updated in the transaction that
-- applies the entries, so an entry is applied iff its seq > applied_seq, once, whatever crashes when.
CREATE TABLE IF NOT EXISTS nexus_sync.reverse_position (
    graph        text        PRIMARY KEY,
    applied_seq  bigint      NOT NULL,
    applied_at   timestamptz
);

-- Every conflict between a graph edit and the row, and its decision (ConflictRecord, ConflictLog). table_name is the
-- table (schema.table); entity_key the entity as a person reads it (a relationship as (from)->(to)); row_key the key
-- columns' text forms ({column: text}), by which a resolution finds the row; entity the label or relationship type;
-- property the column (null: the entity as a whole). The postgres_* columns are the row's side (its versions, value and
-- last commit time when the conflict was decided), the graph_* ones the edit's (the row version it was based on, the
-- graph version it made, the value it proposed, its commit time); graph_value_cast is that value as the column's type
-- reads it (an array as an array literal), what a resolution taking the graph writes.
-- status: settled (by its rule), open (decision 'waiting': a person decides), resolved (a person decided).
CREATE TABLE IF NOT EXISTS nexus_sync.conflict_log (
    id                     bigserial   PRIMARY KEY,
    detected_at            timestamptz NOT NULL DEFAULT now(),
    table_name             text        NOT NULL,
    entity_key             text        NOT NULL,
    row_key                jsonb       NOT NULL,
    entity                 text        NOT NULL,
    kind                   text        NOT NULL CHECK (kind IN ('property', 'delete', 'existence', 'refused')),
    property               text,
    rule                   text        NOT NULL,
    decision               text        NOT NULL CHECK (decision IN ('graph', 'postgres', 'waiting')),
    status                 text        NOT NULL CHECK (status IN ('settled', 'open', 'resolved')),
    postgres_pg_version    bigint,
    postgres_neo4j_version bigint,
    graph_pg_version       bigint,
    graph_neo4j_version    bigint,
    postgres_value         text,
    graph_value            text,
    graph_value_cast       text,
    postgres_committed_at  timestamptz,
    graph_committed_at     timestamptz,
    outbox_seq             bigint      NOT NULL,
    reason                 text,
    resolved_by            text,
    resolved_at            timestamptz,
    resolution             text,
    CHECK ((status = 'open') = (decision = 'waiting')),
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
-- The conflicts waiting for a person, oldest first (conflicts list, the open count in status).
CREATE INDEX IF NOT EXISTS conflict_log_open ON nexus_sync.conflict_log (id) WHERE status = 'open';
