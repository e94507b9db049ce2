package io.nexussync.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nexussync.app.service.ConflictViews;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.reverse.ConflictLog;
import io.nexussync.core.reverse.ConflictLog.LoggedConflict;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.reverse.PgConflictLog;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nexus-sync conflicts}: reverse sync's conflicts (a graph edit of something PostgreSQL had changed meanwhile) and
 * a person's decision on one that waits ({@code manual}). Talks to PostgreSQL only ({@code nexus_sync.conflict_log}).
 */
@Command(name = "conflicts", description = "Conflicts between graph edits and PostgreSQL (reverse sync), settled by rule or waiting for a person: "
        + "list [--all], show ID, resolve ID --take postgres|graph --reason TEXT.")
final class ConflictsCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final CliContext context;

    private ConflictsCommand(CliContext context) {
        this.context = context;
    }

    static CommandLine create(CliContext context) {
        return new CommandLine(new ConflictsCommand(context))
                .addSubcommand(new ListConflicts(context))
                .addSubcommand(new ShowConflict(context))
                .addSubcommand(new ResolveConflict(context));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(context.out());
    }

    private static ConflictLog log(CliContext context, ConfigOption config) {
        return new PgConflictLog(PgConnectionSource.direct(config.loadPostgres(context).postgres(), "conflicts"));
    }

    @Command(name = "list", description = "The conflicts that wait for a person (rule manual), newest first; --all for those settled by rule "
            + "or resolved too.")
    static final class ListConflicts implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        ConfigOption config;
        @Option(names = "--all", description = "settled and resolved conflicts too")
        boolean all;
        @Option(names = "--limit", defaultValue = "200")
        int limit;
        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        ListConflicts(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            return list(context, log(context, config), all, limit, json);
        }
    }

    static int list(CliContext context, ConflictLog log, boolean all, int limit, boolean json) throws Exception {
        List<LoggedConflict> conflicts = log.list(all, limit);
        if (json) {
            context.out().println(JSON.writeValueAsString(conflicts.stream().map(ConflictViews::view).toList()));
            return 0;
        }
        if (conflicts.isEmpty()) {
            context.out().println(all ? "no conflicts logged" : "no conflicts wait for a person (--all lists those settled by rule)");
            return 0;
        }
        for (LoggedConflict c : conflicts) {
            context.out().println(ConflictViews.line(c) + "  detected " + c.detectedAt());
        }
        return 0;
    }

    @Command(name = "show", description = "One conflict: the row, both sides' versions and values, the rule, the decision, who resolved it.")
    static final class ShowConflict implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        ConfigOption config;
        @Parameters(paramLabel = "ID")
        long id;
        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        ShowConflict(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            return show(context, log(context, config), id, json);
        }
    }

    static int show(CliContext context, ConflictLog log, long id, boolean json) throws Exception {
        LoggedConflict c = log.find(id).orElseThrow(() -> SyncException.persistent("no conflict #" + id + ": nexus-sync conflicts list --all lists them", null));
        context.out().print(json ? JSON.writeValueAsString(ConflictViews.view(c)) + System.lineSeparator() : ConflictViews.block(c));
        return 0;
    }

    @Command(name = "resolve", description = "A person's decision on a conflict that waits: --take postgres keeps the row as it is (the graph "
            + "already shows it), --take graph writes the graph's value to the row (or deletes the row the graph deleted), as an ordinary "
            + "change the stream mirrors. Recorded with --reason and --by.")
    static final class ResolveConflict implements Callable<Integer> {
        private final CliContext context;
        @Spec
        CommandSpec spec;
        @Mixin
        ConfigOption config;
        @Parameters(paramLabel = "ID")
        long id;
        @Mixin
        DecisionOptions decision;

        ResolveConflict(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            ConflictRecord.Side side = decision.takesPostgres(spec, "keep the row as it is", "write the graph's value to the row")
                    ? ConflictRecord.Side.POSTGRES : ConflictRecord.Side.GRAPH;
            return resolve(context, log(context, config), id, side, decision.actor(context), decision.reason(spec));
        }
    }

    static int resolve(CliContext context, ConflictLog log, long id, ConflictRecord.Side take, String by, String reason) {
        LoggedConflict resolved;
        try {
            resolved = log.resolve(id, take, by, reason);
        } catch (IllegalArgumentException refused) {
            throw SyncException.persistent(refused.getMessage() + " (nexus-sync conflicts list shows those that wait)", refused);
        }
        context.out().println(ConflictViews.line(resolved));
        context.out().println(take == ConflictRecord.Side.GRAPH
                ? "conflict #" + id + " resolved: the graph's side is written to the row; the stream brings the graph in line"
                : "conflict #" + id + " resolved: the row stays as it is, which the graph already shows");
        return 0;
    }
}
