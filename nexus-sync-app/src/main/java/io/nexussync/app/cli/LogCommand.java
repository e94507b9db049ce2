package io.nexussync.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nexussync.app.service.LogFilter;
import io.nexussync.app.service.LogViews;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.bookkeeping.LogEntry;
import io.nexussync.postgres.bookkeeping.LogQuery;
import io.nexussync.postgres.bookkeeping.PgTransactionLog;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nexus-sync log}: rows of {@code nexus_sync.transaction_log}, newest first: batches with their summary, every failed
 * or retried operation per entity, dead letters and what became of them. Talks to PostgreSQL only.
 */
@Command(name = "log", mixinStandardHelpOptions = true,
        description = "The transaction log, newest first: applied batches (with counts by table and label), failed and retried operations "
                + "per entity (the row, the node, the change, the status, retries and the next attempt), dead letters, a person's actions.")
final class LogCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final CliContext context;
    @Spec
    CommandSpec spec;
    @Mixin
    ConfigOption config;
    @Option(names = "--entity", paramLabel = "TABLE:KEY", description = "one row's entity, e.g. content_items:6f1c0d2e-... (schema public unless "
            + "named; a composite key's values comma-separated), or TABLE alone for every row of a table")
    String entity;
    @Option(names = "--status", paramLabel = "S", description = "only rows with this status: applied, retrying, failed, succeeded-after-retry, "
            + "refused, dead-lettered, parked, retried, skipped, requested, reverted")
    String status;
    @Option(names = "--since", paramLabel = "TIME", description = "only rows logged from then: a time with its offset (2026-12-07T01:00:00Z), "
            + "a date (from 00:00 UTC) or how long ago (90m, 2h, 7d, PT2H)")
    String since;
    @Option(names = "--limit", paramLabel = "N", description = "at most N rows, 1 to " + LogQuery.MAX_LIMIT + " (default " + LogFilter.DEFAULT_LIMIT + ")")
    String limit;
    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    LogCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        LogQuery query = query(Clock.systemUTC());
        PgTransactionLog log = new PgTransactionLog(PgConnectionSource.direct(config.loadPostgres(context).postgres(), "log"));
        return print(context, log::read, query, json);
    }

    /** The filters, or a usage error (exit 2) that names the option and the fix. */
    LogQuery query(Clock clock) {
        try {
            return LogFilter.parse(entity, status, since, limit, clock);
        } catch (LogFilter.BadFilter bad) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--" + bad.filter() + ": " + bad.getMessage());
        }
    }

    static int print(CliContext context, Function<LogQuery, List<LogEntry>> log, LogQuery query, boolean json) throws Exception {
        List<LogEntry> entries = log.apply(query);
        if (json) {
            context.out().println(JSON.writeValueAsString(entries.stream().map(e -> LogViews.view(e, true)).toList()));
            return 0;
        }
        if (entries.isEmpty()) {
            context.out().println("no rows of the transaction log match");
            return 0;
        }
        for (LogEntry e : entries) {
            context.out().println(LogViews.line(e));
        }
        return 0;
    }
}
