package io.nexussync.app.cli;

import io.nexussync.app.service.Backfills;
import io.nexussync.app.service.SyncService;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backfill", description = "Re-read a mapped table (or the rows --where selects) into the graph while streaming goes on. "
        + "Queued for the running service (or the next one to start); resumable; a chunk never overwrites a newer streamed change.")
final class BackfillCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "TABLE", description = "the table, as schema.table or a name in public")
    String table;

    @Option(names = "--where", paramLabel = "SQL", description = "a SQL condition on the table's columns, e.g. \"updated_at > now() - interval '1 day'\"")
    String where;

    @Option(names = "--wait", description = "follow the job until it is done, printing its progress")
    boolean waitForIt;

    BackfillCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
        try (SyncService service = new SyncService(config.load(context))) {
            Backfills backfills = new Backfills(service.config(), service.mapping());
            long id = backfills.request(table, where, "cli " + System.getProperty("user.name", "?"));
            context.out().printf("backfill #%d of %s queued; the running service works through it (nexus-sync status shows it)%n", id, table);
            if (!waitForIt) {
                return 0;
            }
            String last = "";
            while (true) {
                Map<String, Object> job = backfills.list(100).stream().filter(j -> ((Long) j.get("id")) == id).findFirst().orElseThrow();
                String now = job.get("state") + ", " + job.get("rowsDone") + " rows";
                if (!now.equals(last)) {
                    context.out().printf("backfill #%d: %s%n", id, now);
                    last = now;
                }
                if ("done".equals(job.get("state"))) {
                    return 0;
                }
                if ("failed".equals(job.get("state"))) {
                    context.err().printf("backfill #%d failed: %s%n", id, job.get("error"));
                    return NexusSyncCommand.FAILURE;
                }
                Thread.sleep(1_000);
            }
        }
    }
}
