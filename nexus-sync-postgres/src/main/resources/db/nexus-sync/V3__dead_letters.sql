-- Dead letters as the pipeline records them: once per stream position, with what they wait behind.
ALTER TABLE nexus_sync.dead_letter
    ADD COLUMN slot           text,
    ADD COLUMN tx_lsn         pg_lsn,
    ADD COLUMN tx_index       bigint,
    ADD COLUMN operation      text,
    ADD COLUMN row_key        jsonb,
    ADD COLUMN entities       text[],
    ADD COLUMN behind         bigint REFERENCES nexus_sync.dead_letter (id),
    ADD COLUMN released_by    text,
    ADD COLUMN release_reason text;
CREATE UNIQUE INDEX IF NOT EXISTS dead_letter_position ON nexus_sync.dead_letter (slot, tx_lsn, tx_index);
CREATE INDEX IF NOT EXISTS dead_letter_waiting ON nexus_sync.dead_letter (slot, status) WHERE status IN ('open', 'parked');
CREATE INDEX IF NOT EXISTS dead_letter_behind ON nexus_sync.dead_letter (behind) WHERE behind IS NOT NULL;

-- Who did what, and why, for actions a person takes (dlq retry, dlq skip).
ALTER TABLE nexus_sync.transaction_log
    ADD COLUMN actor  text,
    ADD COLUMN reason text;

-- Compensation's bookkeeping: rows whose latest change the graph does not have, and why.
CREATE TABLE IF NOT EXISTS nexus_sync.sync_status (
    table_name     text        NOT NULL,
    entity_key     text        NOT NULL,
    sync_status    text        NOT NULL,
    dead_letter_id bigint,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, entity_key)
);
