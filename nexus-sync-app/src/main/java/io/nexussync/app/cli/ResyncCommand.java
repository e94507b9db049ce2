package io.nexussync.app.cli;

import io.nexussync.app.service.SyncService;
import io.nexussync.core.snapshot.SnapshotVerification;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "resync", description = "Rebuild the sync from the tables as they are, after the slot was lost or invalidated: a new slot, "
        + "a snapshot over the graph (rows rewritten, what PostgreSQL no longer has removed), and a count check at the snapshot's point. "
        + "Stop the service first; start it again afterwards and it streams on from the new slot.")
final class ResyncCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    ResyncCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (SyncService service = new SyncService(config.load(context))) {
            SnapshotVerification verification = service.resync();
            var snapshot = service.progress().snapshot();
            context.out().printf("resync done: %,d rows in %d s; the next nexus-sync run streams on from the new slot%n",
                    snapshot.rowsDone(), snapshot.elapsed().toSeconds());
            if (!verification.agrees()) {
                verification.mismatches().forEach(m -> context.err().println("verify: " + m));
                return NexusSyncCommand.FAILURE;
            }
            context.out().println("verify: every mapped table agrees with the graph in number at the snapshot's point");
        }
        return 0;
    }
}
