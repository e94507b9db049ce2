package io.nexussync.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nexussync.core.error.SyncException;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import io.nexussync.postgres.deadletter.DeadLetterQueue.Entry;
import io.nexussync.postgres.deadletter.DeadLetterQueue.Release;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nexus-sync dlq}: the changes the graph refused, and what a person does about them. Talks to PostgreSQL only. */
@Command(name = "dlq", description = "Dead letters: changes the graph refused, and the later changes parked behind them. "
        + "list, show ID, retry ID | retry --all, skip ID --reason TEXT.")
final class DlqCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final CliContext context;

    private DlqCommand(CliContext context) {
        this.context = context;
    }

    static CommandLine create(CliContext context) {
        return new CommandLine(new DlqCommand(context))
                .addSubcommand(new ListDeadLetters(context))
                .addSubcommand(new ShowDeadLetter(context))
                .addSubcommand(new RetryDeadLetter(context))
                .addSubcommand(new SkipDeadLetter(context));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(context.out());
    }

    private static String actor(CliContext context, String by) {
        return DecisionOptions.actor(context, by);
    }

    @Command(name = "list", description = "The dead letters that wait (open heads and the changes parked behind them), oldest first.")
    static final class ListDeadLetters implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        ConfigOption config;
        @Option(names = "--status", description = "open, parked, retried or skipped (default: open and parked)")
        String status;
        @Option(names = "--limit", defaultValue = "100")
        int limit;
        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        ListDeadLetters(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            List<Entry> entries = new DeadLetterQueue(config.loadPostgres(context).postgres()).list(status, limit);
            if (json) {
                context.out().println(JSON.writeValueAsString(entries));
                return 0;
            }
            if (entries.isEmpty()) {
                context.out().println("no dead letters" + (status == null ? " wait" : " are " + status));
                return 0;
            }
            for (Entry e : entries) {
                context.out().printf("#%d  %s  %s %s %s  %s%n", e.id(), e.createdAt(), e.status(), e.operation(), e.table() + " " + e.entityKey(),
                        e.behind() == 0 ? firstLine(e.error()) : "behind #" + e.behind());
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One dead letter: the error, the change, the graph entities, what waits behind it.")
    static final class ShowDeadLetter implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        ConfigOption config;
        @Parameters(paramLabel = "ID")
        long id;
        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        ShowDeadLetter(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            DeadLetterQueue queue = new DeadLetterQueue(config.loadPostgres(context).postgres());
            Entry e = queue.show(id);
            List<Entry> parked = queue.parkedBehind(id);
            if (json) {
                context.out().println(JSON.writeValueAsString(java.util.Map.of("deadLetter", e, "parkedBehind", parked)));
                return 0;
            }
            context.out().printf("dead letter #%d (%s)%n  at        %s, stream position %s%n  row       %s %s (%s)%n  graph     %s%n  error     %s%n  change    %s%n",
                    e.id(), e.status(), e.createdAt(), e.position(), e.table(), e.entityKey(), e.operation(), String.join(", ", e.entities()),
                    e.error(), e.change());
            if (e.behind() != 0) {
                context.out().printf("  waits behind #%d: retry or skip that one%n", e.behind());
            }
            if (e.releasedBy() != null) {
                context.out().printf("  %s by %s at %s: %s%n", e.status(), e.releasedBy(), e.resolvedAt(), e.releaseReason());
            }
            if (!parked.isEmpty()) {
                context.out().printf("  %d changes wait behind it:%n", parked.size());
                parked.forEach(p -> context.out().printf("    #%d %s %s %s (%s)%n", p.id(), p.operation(), p.table(), p.entityKey(), p.status()));
            }
            return 0;
        }
    }

    @Command(name = "retry", description = "Re-reads the rows of a dead letter and of the changes parked behind it from PostgreSQL as they are now "
            + "(fix the row first) and applies them in stream order. The service need not be running.")
    static final class RetryDeadLetter implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        ConfigOption config;
        @Parameters(paramLabel = "ID", arity = "0..1")
        Long id;
        @Option(names = "--all", description = "retry every open dead letter")
        boolean all;
        @Option(names = "--by", description = "who retries (recorded; default: the USER)")
        String by;
        @Option(names = "--reason", description = "why (recorded)")
        String reason;

        RetryDeadLetter(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if ((id == null) == !all) {
                throw SyncException.persistent("name one dead letter (nexus-sync dlq retry ID) or --all", null);
            }
            DeadLetterQueue queue = new DeadLetterQueue(config.loadPostgres(context).postgres());
            List<Release> done = all ? queue.retryAll(actor(context, by), reason) : List.of(queue.retry(id, actor(context, by), reason));
            for (Release r : done) {
                context.out().printf("dead letter #%d retried: %d rows re-read (%d gone: deleted in the graph too), %d dead letters released%n",
                        r.headId(), r.rowsReRead(), r.rowsGone(), r.deadLetters());
            }
            if (done.isEmpty()) {
                context.out().println("no open dead letters");
            }
            return 0;
        }
    }

    @Command(name = "skip", description = "Gives up on a dead letter: the graph keeps what it has for its rows, later changes apply again.")
    static final class SkipDeadLetter implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        ConfigOption config;
        @Parameters(paramLabel = "ID")
        long id;
        @Option(names = "--by", description = "who skips (recorded; default: the USER)")
        String by;
        @Option(names = "--reason", required = true, description = "why (recorded)")
        String reason;

        SkipDeadLetter(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Release r = new DeadLetterQueue(config.loadPostgres(context).postgres()).skip(id, actor(context, by), reason);
            context.out().printf("dead letter #%d skipped, %d dead letters released%n", r.headId(), r.deadLetters());
            return 0;
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl);
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }
}
