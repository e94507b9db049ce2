package io.nexussync.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.service.VerifyReports;
import io.nexussync.app.wiring.Neo4jConnector;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.TableId;
import io.nexussync.core.verify.FindingStatus;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.ReconciliationLog;
import io.nexussync.core.verify.Verifier;
import io.nexussync.core.verify.VerifyProgress;
import io.nexussync.core.verify.VerifyReport;
import io.nexussync.neo4j.Neo4jVerifyGraph;
import io.nexussync.postgres.PgConnectionSource;
import io.nexussync.postgres.verify.PgReconciliationLog;
import io.nexussync.postgres.verify.PgStreamPosition;
import io.nexussync.postgres.verify.PgVerifySource;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.neo4j.driver.Driver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nexus-sync verify}: the consistency check, run in this process (it only reads both servers and writes its
 * findings to {@code nexus_sync.reconciliation_log}); repairs are carried out by the running service, which this
 * command asks for with {@code --repair} and then follows. Also {@code verify findings}, {@code verify resolve} and
 * {@code verify-entity}. Exit code 0 when the two sides agree, {@value #DISAGREE} when they do not (what the run
 * found, whether or not the service repaired it since), 1 and 2 for failures as every command.
 */
@Command(name = "verify", description = "Compare the graph with PostgreSQL, every mapped table (or --table) by key ranges; "
        + "findings are logged in nexus_sync.reconciliation_log. Exit 0 when the sides agree, 3 when not. "
        + "Subcommands: findings, resolve ID.")
final class VerifyCommand implements Callable<Integer> {
    static final int DISAGREE = 3;
    /** Who is recorded as having found (and asked to repair) what a command run finds. */
    static final String FINDER = "verify";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final CliContext context;

    @Spec
    CommandSpec spec;
    @Mixin
    ConfigOption config;
    @Option(names = "--table", paramLabel = "SCHEMA.TABLE", description = "only this mapped table (a node table, or a join table)")
    String table;
    @Option(names = "--repair", description = "queue a repair by rule for each finding; the running service carries them out, and this "
            + "command waits for that (--wait)")
    boolean repair;
    @Option(names = "--dry-run", description = "log nothing: only print what differs")
    boolean dryRun;
    @Option(names = "--json", description = "print one JSON document instead of text")
    boolean json;
    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "120s", converter = DurationConverter.class,
            description = "with --repair: how long to wait for the service to carry the repairs out (120s, 5m, PT2M; default 120s)")
    Duration waitFor;

    private VerifyCommand(CliContext context) {
        this.context = context;
    }

    static CommandLine create(CliContext context) {
        return new CommandLine(new VerifyCommand(context))
                .addSubcommand(new Findings(context))
                .addSubcommand(new Resolve(context));
    }

    @Override
    public Integer call() throws Exception {
        if (repair && dryRun) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repair and --dry-run exclude each other: a dry run logs nothing to repair");
        }
        SyncConfig cfg = config.load(context);
        try (Driver driver = Neo4jConnector.connect(cfg)) {
            Session session = new Session(cfg, driver);
            TableId only = table == null ? null : TableId.parse(table.trim());
            VerifyReport report = session.withProgress(context, () -> session.verifier.run(new Verifier.Request(only, repair, dryRun, FINDER)));
            return finish(context, session.log, report, repair, waitFor, json);
        }
    }

    /** The summary, the repairs followed, the exit code: shared with {@code verify-entity}. */
    static int finish(CliContext context, ReconciliationLog log, VerifyReport report, boolean repair, Duration waitFor, boolean json)
            throws Exception {
        List<Long> queued = report.findings().stream().filter(f -> f.status() == FindingStatus.REPAIR_REQUESTED).map(LoggedFinding::id).toList();
        Map<String, Object> document = VerifyReports.full(report);
        if (!json) {
            context.out().print(VerifyReports.asText(report));
        }
        if (repair && !queued.isEmpty()) {
            Followed followed = follow(context, log, queued, waitFor, !json);
            document.put("repairs", followed.now().stream().map(VerifyReports::finding).toList());
            document.put("repairNote", followed.note());
            if (!json) {
                context.out().println("what became of the repairs:");
                followed.now().forEach(f -> context.out().println("  " + VerifyReports.findingLine(f)));
                if (followed.note() != null) {
                    context.out().println(followed.note());
                }
            }
        }
        if (report.unconfirmed() > 0) {
            document.put("unconfirmedMeans", VerifyReports.UNCONFIRMED_MEANS);
        }
        if (report.unsettled() > 0) {
            document.put("unsettledMeans", VerifyReports.UNSETTLED_MEANS);
        }
        if (json) {
            context.out().println(JSON.writeValueAsString(document));
        }
        return report.agrees() ? 0 : DISAGREE;
    }

    /** @param note what to tell the user when repairs did not all settle, else null */
    record Followed(List<LoggedFinding> now, String note) {}

    /** Polls the log until no finding waits for the service (repaired, or waiting for a person) or {@code waitFor} passes. */
    static Followed follow(CliContext context, ReconciliationLog log, List<Long> ids, Duration waitFor, boolean talk) throws InterruptedException {
        long deadline = System.nanoTime() + waitFor.toNanos();
        if (talk) {
            context.err().printf("waiting up to %d s for the running service to carry out %d repairs...%n", waitFor.toSeconds(), ids.size());
        }
        while (true) {
            List<LoggedFinding> now = new ArrayList<>();
            for (long id : ids) {
                log.finding(id).ifPresent(now::add);
            }
            long pending = now.stream().filter(f -> f.status() == FindingStatus.REPAIR_REQUESTED || f.status() == FindingStatus.REPAIRING).count();
            if (pending == 0) {
                return new Followed(now, null);
            }
            if (System.nanoTime() >= deadline) {
                boolean untouched = now.stream().allMatch(f -> f.status() == FindingStatus.REPAIR_REQUESTED);
                String note = untouched
                        ? pending + " repairs queued, none carried out within " + waitFor.toSeconds() + " s: is a service running? They stay "
                                + "queued and are carried out when nexus-sync run runs (nexus-sync verify findings shows them)"
                        : pending + " repairs still under way after " + waitFor.toSeconds() + " s: the service goes on with them "
                                + "(nexus-sync verify findings shows them)";
                return new Followed(now, note);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The adapters a command run needs: PostgreSQL on connections of its own, Neo4j through the driver; read-only. */
    static final class Session {
        final Verifier verifier;
        final ReconciliationLog log;

        Session(SyncConfig cfg, Driver driver) {
            Mapping mapping = cfg.loadMapping();
            PgConnectionSource postgres = PgConnectionSource.direct(cfg.postgres(), "verify");
            this.log = new PgReconciliationLog(postgres);
            Verifier built = new Verifier(mapping, new PgVerifySource(postgres, mapping), new Neo4jVerifyGraph(driver, cfg.neo4jDatabase()),
                    new PgStreamPosition(postgres, cfg.postgres().slot(), cfg.postgres().publication()), log, Clock.systemUTC(),
                    Verifier.Settings.DEFAULTS);
            // sync.write-back off: the rows' cross-references are another graph's, as in the service (ServiceWiring.verifier).
            this.verifier = cfg.writeBack() ? built : built.withoutCrossReferences();
        }

        interface Run {
            VerifyReport run() throws InterruptedException;
        }

        /** Runs it with a progress line on stderr every {@link #PROGRESS_EVERY}. */
        VerifyReport withProgress(CliContext context, Run run) throws InterruptedException {
            Thread ticker = new Thread(() -> {
                try {
                    while (true) {
                        Thread.sleep(PROGRESS_EVERY.toMillis());
                        VerifyProgress.Snapshot s = verifier.progress().snapshot();
                        if (s != null && s.running()) {
                            context.err().println(VerifyProgress.describe(s));
                        }
                    }
                } catch (InterruptedException done) {
                    // the run ended
                }
            }, "nexus-sync-verify-progress");
            ticker.setDaemon(true);
            ticker.start();
            try {
                return run.run();
            } finally {
                ticker.interrupt();
                ticker.join(1_000);
            }
        }
    }

    @Command(name = "findings", description = "The logged findings: open ones (found, repair requested or under way, waiting for a person), "
            + "newest first; --all for settled ones too.")
    static final class Findings implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        ConfigOption config;
        @Option(names = "--all", description = "settled findings too (repaired, resolved, cleared)")
        boolean all;
        @Option(names = "--limit", defaultValue = "200")
        int limit;
        @Option(names = "--json", description = "print JSON instead of text")
        boolean json;

        Findings(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() throws Exception {
            List<LoggedFinding> findings = new PgReconciliationLog(PgConnectionSource.direct(config.loadPostgres(context).postgres(), "verify"))
                    .findings(!all, limit);
            if (json) {
                context.out().println(JSON.writeValueAsString(findings.stream().map(VerifyReports::finding).toList()));
                return 0;
            }
            if (findings.isEmpty()) {
                context.out().println(all ? "no findings logged" : "no open findings");
                return 0;
            }
            for (LoggedFinding f : findings) {
                context.out().println(VerifyReports.findingLine(f) + "  detected " + f.detectedAt()
                        + (f.settledAt() == null ? "" : ", settled " + f.settledAt() + (f.decidedBy() == null ? "" : " by " + f.decidedBy())));
            }
            return 0;
        }
    }

    @Command(name = "resolve", description = "A person's decision on a finding: --take postgres repairs the graph from the row (the running "
            + "service carries it out), --take graph keeps the graph as it is. Recorded with --reason and --by.")
    static final class Resolve implements Callable<Integer> {
        private final CliContext context;
        @Spec
        CommandSpec spec;
        @Mixin
        ConfigOption config;
        @Parameters(paramLabel = "ID")
        long id;
        @Mixin
        DecisionOptions decision;

        Resolve(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            boolean postgres = decision.takesPostgres(spec, "repair the graph from the row", "keep the graph as it is");
            String reason = decision.reason(spec);
            LoggedFinding f = new PgReconciliationLog(PgConnectionSource.direct(config.loadPostgres(context).postgres(), "verify"))
                    .resolve(id, postgres, reason, decision.actor(context))
                    .orElseThrow(() -> SyncException.persistent("no open finding #" + id + ": nexus-sync verify findings lists them", null));
            context.out().println(VerifyReports.findingLine(f));
            context.out().println(postgres
                    ? "finding #" + id + ": repair from PostgreSQL queued; the running service carries it out (nexus-sync verify findings shows it)"
                    : "finding #" + id + " resolved: the graph is kept as it is");
            return 0;
        }
    }

    /** {@code 120s}, {@code 5m}, {@code 1h}, ISO-8601 ({@code PT2M}), or a bare number of seconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            Matcher m = WITH_UNIT.matcher(text);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                return switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                };
            }
            try {
                Duration d = Duration.parse(text.toUpperCase(Locale.ROOT));
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                // below
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use 120s, 5m, 1h or PT2M");
        }
    }
}
