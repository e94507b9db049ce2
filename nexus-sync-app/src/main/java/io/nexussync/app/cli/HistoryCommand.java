package io.nexussync.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.service.HistoryParameters;
import io.nexussync.app.service.HistoryViews;
import io.nexussync.app.wiring.Neo4jConnector;
import io.nexussync.core.history.NotTemporal;
import io.nexussync.core.history.RelationshipHistory;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.neo4j.Neo4jTemporalGraph;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.neo4j.driver.Driver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nexus-sync history}: as-of queries over the temporal relationships the mapping declares, read from the graph only
 * (Neo4j settings; PostgreSQL's may be missing). {@code history thread ID} is the contract's thread contents; {@code history
 * relationship TABLE FROM_ID} any temporal join table's relationships from one start node. {@code restore} and {@code compact}
 * are subcommands of their own (they write: PostgreSQL, and the graph's closed versions).
 */
@Command(name = "history", description = "What a temporal relationship held at an instant, or what changed between two, read from the "
        + "graph's versions; putting a thread back to an instant through PostgreSQL; compacting what ended long ago. Subcommands: thread ID, "
        + "relationship TABLE FROM_ID, restore thread ID --at TIME, compact --before TIME.")
final class HistoryCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final CliContext context;
    @Spec
    CommandSpec spec;

    private HistoryCommand(CliContext context) {
        this.context = context;
    }

    static CommandLine create(CliContext context) {
        return new CommandLine(new HistoryCommand(context))
                .addSubcommand(new ThreadHistory(context))
                .addSubcommand(new RelationshipHistoryCommand(context))
                .addSubcommand(new HistoryCompactCommand(context))
                .addSubcommand(HistoryRestoreCommand.create(context));
    }

    @Override
    public void run() {
        spec.commandLine().usage(context.out());
    }

    /** The options both subcommands take (a picocli mixin). */
    static final class Query {
        @Option(names = "--at", paramLabel = "TIME", description = "the instant, ISO-8601 with its offset (2026-12-07T05:30:00Z, "
                + "2026-12-07T06:30:00+01:00); default now")
        String at;
        @Option(names = "--changes", description = "what changed (added, changed with the properties that changed, removed), each with its "
                + "commit time and row version, instead of the contents at one instant")
        boolean changes;
        @Option(names = "--from", paramLabel = "TIME", description = "with --changes: from this instant (included); default the beginning")
        String from;
        @Option(names = "--to", paramLabel = "TIME", description = "with --changes: up to this instant (included); default now")
        String to;
        @Option(names = "--json", description = "print one JSON document instead of text")
        boolean json;

        int run(CliContext context, CommandSpec spec, ConfigOption config, Function<Mapping, RelationshipMapping> which, String fromId,
                String orderBy) throws Exception {
            Clock clock = Clock.systemUTC();
            if (changes && at != null) {
                throw usage(spec, "--at and --changes exclude each other: --at TIME gives the contents at one instant, --changes what changed "
                        + "between --from and --to");
            }
            if (!changes && (from != null || to != null)) {
                throw usage(spec, "--from and --to go with --changes (what changed between them); for the contents at one instant use --at");
            }
            if (fromId.isBlank()) {
                throw usage(spec, "the start node's id is empty: give the id its node has in the graph (the row's key)");
            }
            Instant instant = null;
            HistoryParameters.Window window = null;
            try {
                if (changes) {
                    window = HistoryParameters.window(from, to, clock);
                } else {
                    instant = HistoryParameters.at(at, clock);
                }
            } catch (HistoryParameters.BadParameter bad) {
                throw usage(spec, "--" + bad.parameter() + ": " + bad.getMessage());
            }
            SyncConfig cfg = config.loadNeo4j(context);
            Mapping mapping = cfg.loadMapping();
            RelationshipMapping relationship;
            try {
                relationship = which.apply(mapping);
            } catch (NotTemporal e) {
                throw usage(spec, e.getMessage());
            }
            try (Driver driver = Neo4jConnector.connect(cfg)) {
                RelationshipHistory history = new RelationshipHistory(new Neo4jTemporalGraph(driver, cfg.neo4jDatabase()));
                if (changes) {
                    RelationshipHistory.Changes found = history.changes(relationship, fromId, window.from(), window.to());
                    context.out().print(json ? JSON.writeValueAsString(HistoryViews.changes(found)) + "\n" : HistoryViews.changesText(found));
                } else {
                    RelationshipHistory.Contents found = history.at(relationship, fromId, instant, orderBy);
                    context.out().print(json ? JSON.writeValueAsString(HistoryViews.contents(found)) + "\n" : HistoryViews.contentsText(found));
                }
            }
            return 0;
        }

        private static CommandLine.ParameterException usage(CommandSpec spec, String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    @Command(name = "thread", description = "A thread's contents at an instant (--at, default now): its content items with their position and "
            + "relevance, in position order; with --changes, what changed between --from and --to.")
    static final class ThreadHistory implements Callable<Integer> {
        private final CliContext context;
        @Spec
        CommandSpec spec;
        @Mixin
        ConfigOption config;
        @Mixin
        Query query;
        @Parameters(index = "0", paramLabel = "ID", description = "the thread's id")
        String id;

        ThreadHistory(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            return query.run(context, spec, config, RelationshipHistory::threadContent, id.trim(), RelationshipHistory.THREAD_ORDER);
        }
    }

    @Command(name = "relationship", description = "The relationships of a temporal join table from one start node at an instant (--at, "
            + "default now), by end node; with --changes, what changed between --from and --to.")
    static final class RelationshipHistoryCommand implements Callable<Integer> {
        private final CliContext context;
        @Spec
        CommandSpec spec;
        @Mixin
        ConfigOption config;
        @Mixin
        Query query;
        @Parameters(index = "0", paramLabel = "TABLE", description = "the temporal join table, as schema.table or a name in public")
        String table;
        @Parameters(index = "1", paramLabel = "FROM_ID", description = "the start node's id (a composite key as its JSON array)")
        String fromId;

        RelationshipHistoryCommand(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            TableId tableId = tableArgument(spec, table);
            return query.run(context, spec, config, mapping -> RelationshipHistory.temporal(mapping, tableId), fromId.trim(), null);
        }
    }

    /** The TABLE argument of {@code history relationship} and {@code history restore relationship}; a usage error when it is no table name. */
    static TableId tableArgument(CommandSpec spec, String table) {
        try {
            return TableId.parse(table.trim());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "TABLE '" + table + "' is not schema.table: " + e.getMessage());
        }
    }
}
