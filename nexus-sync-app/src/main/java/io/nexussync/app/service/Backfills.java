package io.nexussync.app.service;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.backfill.WhereCondition;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.backfill.PgBackfillStore;
import io.nexussync.postgres.setup.Migrations;
import java.util.List;
import java.util.Map;

/** Backfill requests, from the CLI or the admin API: checked against the mapping, then queued for the running service. */
public final class Backfills implements BackfillRequests {
    private final SyncConfig config;
    private final Mapping mapping;
    private final PgBackfillStore store;

    /** For a command: a connection of its own per call. */
    public Backfills(SyncConfig config, Mapping mapping) {
        this(config, mapping, new PgBackfillStore(PgConnectionSource.direct(config.postgres(), "backfill")));
    }

    /** @param store the running service's, on its pool (the admin API's {@code /backfill}) */
    public Backfills(SyncConfig config, Mapping mapping, PgBackfillStore store) {
        this.config = config;
        this.mapping = mapping;
        this.store = store;
    }

    @Override
    public long request(String table, String where, String requestedBy) {
        TableId id = TableId.parse(table.contains(".") ? table : "public." + table);
        if (!mapping.tables().contains(id)) {
            throw SyncException.persistent("table " + id + " is not mapped, so there is nothing to backfill; mapped tables: "
                    + mapping.tables(), null);
        }
        // Before anything touches PostgreSQL (the store checks it again: it is the way every job is queued).
        WhereCondition.check(where);
        Migrations.bookkeeping(config.postgres());
        return store.request(id, where, requestedBy);
    }

    @Override
    public List<Map<String, Object>> list(int limit) {
        return store.list(limit);
    }
}
