-- Backfill jobs: queued by `nexus-sync backfill` or POST /backfill, worked through by the running
-- service, chunk by chunk; last_key is where a job resumes after a restart.
CREATE TABLE nexus_sync.backfill (
    id           bigserial   PRIMARY KEY,
    table_name   text        NOT NULL,
    where_clause text,
    state        text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
    last_key     text[],
    rows_done    bigint      NOT NULL DEFAULT 0,
    requested_by text,
    error        text,
    requested_at timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
