package io.nexussync.app.cli;

import io.nexussync.app.service.KafkaRoleService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "capture", description = "Read the slot and publish every mapped change to Kafka (the capture role; apply --from kafka "
        + "writes the graph). Needs setup and setup --kafka first. Stops on SIGTERM or Ctrl-C after committing what it gathered.")
final class CaptureCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    @Option(names = "--to", required = true, paramLabel = "kafka", description = "where to publish: kafka (the only target)")
    String target;

    CaptureCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (!"kafka".equals(target)) {
            context.err().println("capture --to " + target + ": the only target is kafka (capture --to kafka)");
            return 2;
        }
        try (KafkaRoleService service = KafkaRoleService.capture(config.loadPostgres(context))) {
            StopOnExit.runRole(service);
        }
        return 0;
    }
}
