-- Verify's findings and what became of each (ReconciliationLog): one row per finding, updated as it is repaired or
-- settled. entity_type is the table (schema.table), entity_key the entity's key as a person reads it (a relationship
-- as (from)->(to)), finding the finding's kind, action the repair's (or 'none'), detail the finding in words;
-- checked_at is when it was first found. No row value is stored: names and keys only.
ALTER TABLE nexus_sync.reconciliation_log
    ADD COLUMN status      text        NOT NULL DEFAULT 'found'
        CHECK (status IN ('found', 'repair-requested', 'repairing', 'repaired', 'waiting', 'resolved', 'cleared')),
    ADD COLUMN check_kind  text,
    ADD COLUMN graph_name  text,
    ADD COLUMN element_id  text,
    ADD COLUMN properties  text[]      NOT NULL DEFAULT '{}',
    ADD COLUMN found_by    text,
    ADD COLUMN rule        text,
    ADD COLUMN decided_by  text,
    ADD COLUMN reason      text,
    ADD COLUMN settled_at  timestamptz,
    ADD COLUMN repair_id   text,
    ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now();

-- At most one open row per finding on an entity: finding it again returns that row (and two verify runs at once
-- cannot log it twice). Also serves "the open findings of an entity".
CREATE UNIQUE INDEX IF NOT EXISTS reconciliation_log_open ON nexus_sync.reconciliation_log (entity_type, entity_key, finding)
    WHERE status IN ('found', 'repair-requested', 'repairing', 'waiting');
-- The repair queue, oldest first.
CREATE INDEX IF NOT EXISTS reconciliation_log_queue ON nexus_sync.reconciliation_log (id)
    WHERE status IN ('repair-requested', 'repairing');
