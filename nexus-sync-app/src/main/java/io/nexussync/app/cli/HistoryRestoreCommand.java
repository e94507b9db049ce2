package io.nexussync.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.service.HistoryParameters;
import io.nexussync.app.wiring.Neo4jConnector;
import io.nexussync.core.history.NotTemporal;
import io.nexussync.core.history.RelationshipHistory;
import io.nexussync.core.history.RestorePlan;
import io.nexussync.core.history.RestoreRefused;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.neo4j.Neo4jTemporalGraph;
import io.nexussync.postgres.history.PgSystemOfRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.neo4j.driver.Driver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nexus-sync history restore}: writes a start node's rows of a temporal join table in PostgreSQL back to their state at
 * an instant, as the graph's versions tell it, in one transaction; the running stream then mirrors that write into the graph
 * as new versions. The graph is only read: PostgreSQL stays the one place truth is written. Needs both servers' settings.
 */
@Command(name = "restore", description = "Write a thread's (or any temporal join table's) rows in PostgreSQL back to their state at an instant, "
        + "read from the graph's versions, in one transaction; the running stream mirrors it into the graph as new versions. "
        + "Subcommands: thread ID --at TIME, relationship TABLE FROM_ID --at TIME.")
final class HistoryRestoreCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final CliContext context;
    @Spec
    CommandSpec spec;

    private HistoryRestoreCommand(CliContext context) {
        this.context = context;
    }

    static CommandLine create(CliContext context) {
        return new CommandLine(new HistoryRestoreCommand(context))
                .addSubcommand(new RestoreThread(context))
                .addSubcommand(new RestoreRelationship(context));
    }

    @Override
    public void run() {
        spec.commandLine().usage(context.out());
    }

    /** The options both subcommands take (a picocli mixin). */
    static final class Restore {
        @Option(names = "--at", paramLabel = "TIME", description = "the instant to restore to, ISO-8601 with its offset (2026-12-07T05:30:00Z, "
                + "2026-12-07T06:30:00+01:00); required, not in the future")
        String at;
        @Option(names = "--dry-run", description = "print the difference (per end node: what it is now, what it was at TIME) and write nothing")
        boolean dryRun;
        @Option(names = "--json", description = "print one JSON document instead of text")
        boolean json;

        int run(CliContext context, CommandSpec spec, ConfigOption config, Function<Mapping, RelationshipMapping> which, String fromId)
                throws Exception {
            if (at == null) {
                throw usage(spec, "--at TIME is required: the instant to restore to, e.g. --at 2026-12-07T05:30:00Z (see what it held with "
                        + "nexus-sync history thread ID --at TIME)");
            }
            if (fromId.isBlank()) {
                throw usage(spec, "the start node's id is empty: give the id its node has in the graph (the row's key)");
            }
            Instant instant;
            try {
                instant = HistoryParameters.instant("at", at);
            } catch (HistoryParameters.BadParameter bad) {
                throw usage(spec, "--at: " + bad.getMessage());
            }
            if (instant.isAfter(Clock.systemUTC().instant())) {
                throw usage(spec, "--at: " + instant + " is in the future, and the graph cannot know that state yet: give an instant in the past");
            }
            SyncConfig cfg = config.load(context);
            Mapping mapping = cfg.loadMapping();
            RelationshipMapping relationship;
            try {
                relationship = which.apply(mapping);
            } catch (NotTemporal e) {
                throw usage(spec, e.getMessage());
            }
            RestorePlan plan;
            try (Driver driver = Neo4jConnector.connect(cfg)) {
                RelationshipHistory history = new RelationshipHistory(new Neo4jTemporalGraph(driver, cfg.neo4jDatabase()));
                plan = history.restore(new PgSystemOfRecord(cfg.postgres(), mapping), relationship, fromId, instant, !dryRun);
            } catch (RestoreRefused refused) {
                context.err().println("nexus-sync: restore refused: " + refused.getMessage());
                return 1;
            }
            context.out().print(json ? JSON.writeValueAsString(view(relationship, fromId, plan, dryRun)) + "\n" : text(relationship, fromId, plan, dryRun));
            return 0;
        }

        private static CommandLine.ParameterException usage(CommandSpec spec, String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    static Map<String, Object> view(RelationshipMapping m, String fromId, RestorePlan plan, boolean dryRun) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("table", m.table().toString());
        view.put("type", m.type());
        view.put("startLabel", m.from().label());
        view.put("startId", fromId);
        view.put("endLabel", m.to().label());
        view.put("at", plan.at().toString());
        view.put("dryRun", dryRun);
        view.put("written", !dryRun && !plan.empty());
        view.put("unchanged", plan.unchanged());
        view.put("items", plan.items().stream().map(item -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("endId", item.toId());
            one.put("action", item.action().name().toLowerCase(java.util.Locale.ROOT));
            one.put("now", item.now());
            one.put("then", item.then());
            one.put("changed", List.copyOf(item.changed()));
            return one;
        }).toList());
        return view;
    }

    static String text(RelationshipMapping m, String fromId, RestorePlan plan, boolean dryRun) {
        String head = "(:" + m.from().label() + " {" + m.from().idProperty() + ": " + fromId + "})-[:" + m.type() + "]->(:" + m.to().label() + ")";
        StringBuilder text = new StringBuilder((dryRun ? "would restore " : "restored ") + head + " in " + m.table() + " to its state at "
                + plan.at() + (dryRun ? " (dry run: nothing written)" : "") + "\n");
        for (RestorePlan.ItemRestore item : plan.items()) {
            text.append("  ").append(String.format("%-7s", item.action().name().toLowerCase(java.util.Locale.ROOT))).append(' ')
                    .append(m.to().label()).append(' ').append(item.toId()).append("  now: ").append(values(item.now()))
                    .append("  at ").append(plan.at()).append(": ").append(values(item.then())).append('\n');
        }
        text.append("  ").append(plan.unchanged()).append(plan.unchanged() == 1 ? " row" : " rows").append(" already as at ").append(plan.at()).append('\n');
        if (plan.empty()) {
            text.append("nothing to write: PostgreSQL already holds that state\n");
        } else if (dryRun) {
            text.append(plan.items().size()).append(" row change(s) would be written in one transaction\n");
        } else {
            text.append(plan.items().size()).append(" row change(s) written in one PostgreSQL transaction; the running stream mirrors them "
                    + "into the graph as new versions\n");
        }
        return text.toString();
    }

    private static String values(Map<String, Object> properties) {
        return properties == null ? "(absent)" : properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    @Command(name = "thread", description = "Write a thread's thread_content rows back to their state at --at TIME (its content items with their "
            + "position, relevance and added_at); --dry-run shows the difference first.")
    static final class RestoreThread implements Callable<Integer> {
        private final CliContext context;
        @Spec
        CommandSpec spec;
        @Mixin
        ConfigOption config;
        @Mixin
        Restore restore;
        @Parameters(index = "0", paramLabel = "ID", description = "the thread's id")
        String id;

        RestoreThread(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            return restore.run(context, spec, config, RelationshipHistory::threadContent, id.trim());
        }
    }

    @Command(name = "relationship", description = "Write a temporal join table's rows from one start node back to their state at --at TIME; "
            + "--dry-run shows the difference first.")
    static final class RestoreRelationship implements Callable<Integer> {
        private final CliContext context;
        @Spec
        CommandSpec spec;
        @Mixin
        ConfigOption config;
        @Mixin
        Restore restore;
        @Parameters(index = "0", paramLabel = "TABLE", description = "the temporal join table, as schema.table or a name in public")
        String table;
        @Parameters(index = "1", paramLabel = "FROM_ID", description = "the start node's id (a composite key as its JSON array)")
        String fromId;

        RestoreRelationship(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            TableId tableId = HistoryCommand.tableArgument(spec, table);
            return restore.run(context, spec, config, mapping -> RelationshipHistory.temporal(mapping, tableId), fromId.trim());
        }
    }
}
