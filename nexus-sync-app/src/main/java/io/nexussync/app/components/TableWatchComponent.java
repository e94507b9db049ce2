package io.nexussync.app.components;

import io.nexussync.app.runtime.Component;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.setup.MappedTables;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@link #PERIOD}: a mapped table gone from the catalog (dropped, or renamed: neither leaves a trace in the WAL) stops
 * the service with what to do. A check that cannot reach PostgreSQL is skipped: the stream reports and retries that.
 */
public final class TableWatchComponent implements Component {
    private static final Logger log = LoggerFactory.getLogger(TableWatchComponent.class);
    static final Duration PERIOD = Duration.ofSeconds(10);

    private final PgConnectionSource postgres;
    private final Mapping mapping;

    public TableWatchComponent(PgConnectionSource postgres, Mapping mapping) {
        this.postgres = postgres;
        this.mapping = mapping;
    }

    @Override
    public String name() {
        return "table-watch";
    }

    @Override
    public void run(ComponentContext context) throws InterruptedException {
        context.ready();
        while (!context.stoppedWithin(PERIOD)) {
            List<TableId> missing;
            try {
                missing = MappedTables.missing(postgres, mapping.tables());
            } catch (SyncException e) {
                log.debug("could not check the mapped tables: {}", e.getMessage());
                continue;
            }
            if (!missing.isEmpty()) {
                context.fail(MappedTables.droppedWhileStreaming(missing));
                return;
            }
        }
    }

    @Override
    public void stop() {
        // the supervisor's stop ends the wait between checks
    }
}
