package io.nexussync.app.components;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.pipeline.SchemaChangeHandler;
import io.nexussync.postgres.backfill.PgBackfillStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an ALTER TABLE met in the stream does. A mapped table renamed would silently fall out of the sync, so that
 * stops the service; added, dropped or retyped columns queue a backfill of the table, whose refresh
 * writes give every existing node the new shape (a column added with a DEFAULT changes no row in the WAL).
 */
public final class SchemaChangePolicy implements SchemaChangeHandler {
    private static final Logger log = LoggerFactory.getLogger(SchemaChangePolicy.class);

    private final Mapping mapping;
    private final PgBackfillStore backfills;

    public SchemaChangePolicy(Mapping mapping, PgBackfillStore backfills) {
        this.mapping = mapping;
        this.backfills = backfills;
    }

    @Override
    public void schemaChanged(CaptureEvent.SchemaChange change) {
        if (change.renamed() && mapping.tables().contains(change.previousTable())) {
            throw SyncException.persistent("mapped table " + change.previousTable() + " was renamed to " + change.table()
                    + " while streaming: its changes would no longer reach the graph. Rename it back (ALTER TABLE " + change.table()
                    + " RENAME TO " + change.previousTable().name() + "), or map " + change.table()
                    + " in the mapping file and run nexus-sync resync", null);
        }
        if (!mapping.tables().contains(change.table())) {
            return;
        }
        log.info("{} changed shape: added {}, dropped {}, changed type of {}; properties follow the mapping's naming rule, "
                        + "and the table is backfilled so that existing nodes take the new shape",
                change.table(), change.addedColumns(), change.droppedColumns(), change.retypedColumns());
        try {
            long job = backfills.request(change.table(), null, "schema change");
            log.info("queued backfill #{} of {} after its schema change", job, change.table());
        } catch (SyncException e) {
            log.error("could not queue the backfill of {} after its schema change; run nexus-sync backfill {}: {}",
                    change.table(), change.table(), e.getMessage());
        }
    }
}
