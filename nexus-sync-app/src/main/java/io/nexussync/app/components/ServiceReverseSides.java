package io.nexussync.app.components;

import io.nexussync.app.wiring.ServiceWiring;
import io.nexussync.core.model.TableId;
import io.nexussync.core.reverse.GraphOutbox;
import io.nexussync.core.reverse.PolledGraph;
import io.nexussync.core.reverse.ReverseCatalog;
import io.nexussync.core.reverse.ReverseStore;
import io.nexussync.postgres.catalog.Catalog;
import io.nexussync.postgres.catalog.CatalogReader;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The running service's sides of reverse sync: the wiring's adapters, and the mapped tables' columns from PostgreSQL's catalog. */
final class ServiceReverseSides implements ReverseComponent.Sides {
    private final ServiceWiring wiring;

    ServiceReverseSides(ServiceWiring wiring) {
        this.wiring = wiring;
    }

    /** Read at each session's start, so that a column added since the last one flows back from then on. */
    @Override
    public ReverseCatalog catalog() {
        Set<String> schemas = new TreeSet<>();
        for (TableId table : wiring.mapping().tables()) {
            schemas.add(table.schema());
        }
        Catalog catalog = CatalogReader.read(wiring.config().postgres(), schemas);
        return ReverseCatalog.of(wiring.mapping(), table -> catalog.table(table).map(Catalog.Table::columnNames).orElse(List.of()));
    }

    @Override
    public GraphOutbox outbox() {
        return wiring.graphOutbox();
    }

    @Override
    public PolledGraph polledGraph() {
        return wiring.graphOutbox();
    }

    @Override
    public ReverseStore store() {
        return wiring.reverseStore();
    }

    @Override
    public void withdrawPlugin() {
        wiring.graphOutbox().withdraw();
    }

    @Override
    public Optional<String> probePlugin() {
        return wiring.graphOutbox().pluginVersion();
    }
}
