package io.nexussync.app.cli;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.postgres.slot.SlotTeardown;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nexus-sync teardown --yes}: drops the slot and the publication, so PostgreSQL stops keeping
 * WAL for a sync that is gone. Never asks (it runs in scripts and containers): without {@code --yes}
 * it only says what it would remove, and exits 2.
 */
@Command(name = "teardown", description = "Drop the replication slot and the publication (PostgreSQL then stops keeping WAL for the sync). "
        + "Refuses while the slot is streaming. Tables, their sync columns and trigger, the nexus_sync schema and the graph stay. "
        + "Safe to run twice.")
final class TeardownCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    @Option(names = "--yes", description = "really drop them")
    boolean yes;

    TeardownCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        SyncConfig cfg = config.load(context);
        String slot = cfg.postgres().slot();
        String publication = cfg.postgres().publication();
        if (!yes) {
            context.err().println("nexus-sync: teardown drops replication slot '" + slot + "' and publication '" + publication
                    + "'. The graph then no longer follows PostgreSQL, and a new sync needs nexus-sync resync (new slot, snapshot, verify). "
                    + "Nothing was removed: run nexus-sync teardown --yes to do it.");
            return CommandLine.ExitCode.USAGE;
        }
        SlotTeardown.Result result = SlotTeardown.run(cfg.postgres());
        result.removed().forEach(r -> context.out().println("dropped " + r));
        result.alreadyAbsent().forEach(a -> context.out().println("already gone: " + a));
        if (result.removed().isEmpty()) {
            context.out().println("nothing to remove");
        }
        return 0;
    }
}
