-- The transaction log the seed describes (issue 16): per entity, every failed or retried operation with the entity in both
-- systems, the change, its status and its retries; per batch, a summary of what it held.
--   entity_table, entity_key   the row: schema.table and its key columns' text forms in key order, comma-separated
--   graph_label, graph_id      the graph's side: the node label and its id property, or the relationship type and (from)->(to)
--   element_id                 the node's elementId when the change carried its cross-reference (neo4j_node_id)
--   retry_group                the rows of one batch write's failed attempts (its batch row and its entity rows), updated
--                              together as the retries go on and settled when the write commits or is given up
--   dead_letter_id             the dead letter a row is about (dead-lettered, parked; then retried or skipped by a person)
--   summary                    on a batch row: {"changes": {table: {insert|update|delete|truncate: n}}, "graph": {label or
--                              type: {upsert|delete|link|version|close|truncate: n}}, "deadLettered": n, "parked": n}
-- Only failures and retries write rows per entity; a batch row is still one INSERT after its commit.
ALTER TABLE nexus_sync.transaction_log
    ADD COLUMN entity_table   text,
    ADD COLUMN entity_key     text,
    ADD COLUMN graph_label    text,
    ADD COLUMN graph_id       text,
    ADD COLUMN element_id     text,
    ADD COLUMN retry_group    text,
    ADD COLUMN dead_letter_id bigint,
    ADD COLUMN summary        jsonb;

-- nexus-sync log --entity / GET /log?entity=...: newest first for one row's entity.
CREATE INDEX IF NOT EXISTS transaction_log_entity ON nexus_sync.transaction_log (entity_table, entity_key, id)
    WHERE entity_table IS NOT NULL;
-- --status / ?status=...: newest first for one status of an operation row. Batch rows (all 'applied', read newest first
-- by the primary key) stay out of it, so that a batch's one INSERT after its commit updates no index it did not before.
CREATE INDEX IF NOT EXISTS transaction_log_status ON nexus_sync.transaction_log (status, id) WHERE kind = 'operation';
-- A batch write's retries update their rows by group; a dead letter's release updates its rows.
CREATE INDEX IF NOT EXISTS transaction_log_retry_group ON nexus_sync.transaction_log (retry_group) WHERE retry_group IS NOT NULL;
CREATE INDEX IF NOT EXISTS transaction_log_dead_letter ON nexus_sync.transaction_log (dead_letter_id) WHERE dead_letter_id IS NOT NULL;
-- Retention deletes by logged_at through transaction_log_logged_at (V1).
