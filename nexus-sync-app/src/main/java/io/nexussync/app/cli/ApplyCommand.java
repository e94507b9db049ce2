package io.nexussync.app.cli;

import io.nexussync.app.components.KafkaApplyComponent;
import io.nexussync.app.service.KafkaRoleService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "apply", description = "Consume the change topic as a member of the consumer group (kafka.group) and write the graph "
        + "(the apply role). Run as many as the topic has partitions; each keeps its partitions' offsets in the graph.")
final class ApplyCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    @Option(names = "--from", required = true, paramLabel = "kafka", description = "where to consume: kafka (the only source)")
    String source;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "nexus-sync",
            description = "what the topic holds: nexus-sync (capture --to kafka's records, the default) or debezium (Debezium's "
                    + "PostgreSQL connector's change events, JsonConverter, with schemas or without)")
    String format;

    ApplyCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (!"kafka".equals(source)) {
            context.err().println("apply --from " + source + ": the only source is kafka (apply --from kafka)");
            return 2;
        }
        KafkaApplyComponent.Format topicFormat = switch (format) {
            case "nexus-sync" -> KafkaApplyComponent.Format.NEXUS_SYNC;
            case "debezium" -> KafkaApplyComponent.Format.DEBEZIUM;
            default -> null;
        };
        if (topicFormat == null) {
            context.err().println("apply --format " + format + ": use nexus-sync or debezium");
            return 2;
        }
        try (KafkaRoleService service = KafkaRoleService.apply(config.load(context), topicFormat)) {
            StopOnExit.runRole(service);
        }
        return 0;
    }
}
