-- The console and GET /critical list the newest finished critical writes first: one row per critical write ever
-- finished would otherwise be sorted whole for every page.
CREATE INDEX IF NOT EXISTS critical_transaction_decided_at ON nexus_sync.critical_transaction (decided_at DESC NULLS LAST);
