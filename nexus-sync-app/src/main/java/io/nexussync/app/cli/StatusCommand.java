package io.nexussync.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nexussync.app.wiring.Neo4jConnector;
import io.nexussync.app.service.StatusReport;
import java.util.concurrent.Callable;
import org.neo4j.driver.Driver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", description = "Show the slot: position, lag and retained WAL in bytes, warnings, whether PostgreSQL invalidated it; "
        + "the graph's checkpoint and the last batch; the critical writes still prepared.")
final class StatusCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    StatusCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        var cfg = config.load(context);
        try (Driver driver = Neo4jConnector.connect(cfg)) {
            var status = StatusReport.collect(cfg, driver);
            context.out().print(json
                    ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(status) + "\n"
                    : StatusReport.asText(status));
        }
        return 0;
    }
}
