package io.nexussync.app.cli;

import io.nexussync.app.service.SyncService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "setup", description = "Check PostgreSQL, create or adopt the tables, publication, slot and Neo4j constraints. Safe to run twice.")
final class SetupCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    @Option(names = "--kafka", description = "also create the change topic (kafka.topic, kafka.partitions, kafka.retention) and capture's "
            + "progress topic, or check existing ones (never altered: a difference is reported with the command that fixes it)")
    boolean kafka;

    SetupCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try (SyncService service = new SyncService(config.load(context))) {
            service.setup();
            context.out().println("setup complete: publication " + service.config().postgres().publication() + ", slot "
                    + service.config().postgres().slot() + ", mapping " + service.mapping().name());
            if (!service.config().revertRefused().isEmpty()) {
                context.out().println("refused changes to " + service.config().revertRefused().stream().map(Object::toString).sorted().toList()
                        + " are reverted in PostgreSQL: replica identity FULL set on them, so updates and deletes carry the old row");
            }
            if (kafka) {
                return KafkaSetup.run(service.config().kafka(), context) ? 0 : 1;
            }
        }
        return 0;
    }
}
