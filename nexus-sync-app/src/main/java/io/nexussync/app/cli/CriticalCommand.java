package io.nexussync.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nexussync.app.service.CriticalViews;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.critical.CriticalStatus;
import io.nexussync.postgres.critical.PgPreparedTransactions;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nexus-sync critical}: critical writes (transactions an application prepares as {@code nexus_sync:<id>}, which
 * nexus-sync commits once the graph holds them, or rolls back). Talks to PostgreSQL only.
 */
@Command(name = "critical", description = "Critical writes (transactions prepared as 'nexus_sync:<id>', committed by nexus-sync once the graph "
        + "holds them): list, status ID.")
final class CriticalCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final CliContext context;

    private CriticalCommand(CliContext context) {
        this.context = context;
    }

    static CommandLine create(CliContext context) {
        return new CommandLine(new CriticalCommand(context)).addSubcommand(new Status(context)).addSubcommand(new Recent(context));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(context.out());
    }

    @Command(name = "status", description = "What became of critical write ID: committed (exit 0), rolled back with the reason (exit 3), "
            + "pending: still prepared (exit 4), or unknown: not prepared in this database and not finished by nexus-sync (exit 5).")
    static final class Status implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        ConfigOption config;
        @Parameters(paramLabel = "ID", description = "the id it was prepared with, with or without the nexus_sync: prefix")
        String id;
        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        Status(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            PgPreparedTransactions prepared = new PgPreparedTransactions(PgConnectionSource.direct(config.loadPostgres(context).postgres(), "critical"));
            return status(context, prepared::status, id, json);
        }
    }

    @Command(name = "list", description = "The critical writes still prepared (the longest waiting first), then the newest finished ones "
            + "with their outcome and reason.")
    static final class Recent implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        ConfigOption config;
        @Option(names = "--limit", defaultValue = "50", description = "how many to list, 1 to 500 (default: ${DEFAULT-VALUE})")
        int limit;
        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        Recent(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            if (limit < 1 || limit > 500) {
                context.err().println("--limit must be from 1 to 500, not " + limit);
                return 2;
            }
            PgPreparedTransactions prepared = new PgPreparedTransactions(PgConnectionSource.direct(config.loadPostgres(context).postgres(), "critical"));
            return list(context, prepared.recent(limit), json);
        }
    }

    static int list(CliContext context, java.util.List<CriticalStatus> statuses, boolean json) throws Exception {
        if (json) {
            context.out().println(JSON.writeValueAsString(statuses.stream().map(CriticalViews::view).toList()));
        } else if (statuses.isEmpty()) {
            context.out().println("no critical writes: none is prepared, and nexus-sync has finished none");
        } else {
            statuses.forEach(status -> context.out().println(CriticalViews.line(status)));
        }
        return 0;
    }

    static int status(CliContext context, Function<String, CriticalStatus> statuses, String id, boolean json) throws Exception {
        CriticalStatus status = statuses.apply(id);
        context.out().print(json ? JSON.writeValueAsString(CriticalViews.view(status)) + System.lineSeparator() : CriticalViews.text(status));
        return CriticalViews.exitCode(status);
    }
}
