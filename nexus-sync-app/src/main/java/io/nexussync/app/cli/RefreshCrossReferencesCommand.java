package io.nexussync.app.cli;

import io.nexussync.app.service.SyncService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "refresh-cross-references", description = "Check every row's neo4j_node_id against its node's elementId and rewrite "
        + "the ones that differ, e.g. after a Neo4j restore. Safe while the service runs.")
final class RefreshCrossReferencesCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    RefreshCrossReferencesCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (SyncService service = new SyncService(config.load(context))) {
            var report = service.refreshAllCrossReferences();
            context.out().printf("checked %,d rows, rewrote %,d cross-references; %,d rows have no node in the graph%n",
                    report.rowsChecked(), report.rewritten(), report.rowsWithoutNode());
        }
        return 0;
    }
}
