package io.nexussync.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nexussync.app.config.SyncConfig;
import io.nexussync.app.service.LogFilter;
import io.nexussync.app.wiring.Neo4jConnector;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.retention.CompactionListener;
import io.nexussync.core.retention.CompactionReport;
import io.nexussync.core.retention.HistoryCompaction;
import io.nexussync.neo4j.Neo4jClosedVersions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.neo4j.driver.Driver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nexus-sync history compact --before TIME}: removes the closed versions of every temporal relationship the mapping
 * declares that ended before TIME, 1,000 per Neo4j transaction; never a current version. Talks to Neo4j only (and needs
 * only its settings), and may run beside a running service: the checkpoint keeps the stream's replays out whatever is
 * removed ({@link HistoryCompaction}).
 */
@Command(name = "compact", description = "Remove the closed versions of every temporal relationship the mapping declares that ended before "
        + "TIME, 1,000 per Neo4j transaction; current versions are never touched, and every as-of answer at or after TIME stays the same.")
final class HistoryCompactCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final CliContext context;
    @Spec
    CommandSpec spec;
    @Mixin
    ConfigOption config;
    @Option(names = "--before", required = true, paramLabel = "TIME", description = "the cut: a time with its offset (2026-06-01T00:00:00Z), "
            + "a date (from 00:00 UTC) or how long ago (90d, 12h, P30D); not in the future")
    String before;
    @Option(names = "--dry-run", description = "count what would be removed, per relationship type; remove nothing")
    boolean dryRun;
    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    HistoryCompactCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Clock clock = Clock.systemUTC();
        Instant cut = cut(clock);
        SyncConfig cfg = config.loadNeo4j(context);
        Mapping mapping = cfg.loadMapping();
        try (Driver driver = Neo4jConnector.connect(cfg)) {
            // No pause between transactions: a person waits for this, and the stream's batches interleave with them anyway.
            HistoryCompaction compaction = new HistoryCompaction(mapping, new Neo4jClosedVersions(driver, cfg.neo4jDatabase()), clock,
                    Duration.ZERO, CompactionListener.NONE);
            CompactionReport report = dryRun ? compaction.dryRun(cut) : compaction.compact(cut, () -> false);
            print(report);
        }
        return 0;
    }

    /** The cut, read as {@code nexus-sync log --since} reads a time; a usage error (exit 2) names the option and the fix. */
    Instant cut(Clock clock) {
        try {
            Instant cut = LogFilter.timeOrAgo(before, clock);
            HistoryCompaction.checkCut(cut, clock.instant());
            return cut;
        } catch (LogFilter.BadFilter | HistoryCompaction.CutRefused bad) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--before: " + bad.getMessage());
        }
    }

    private void print(CompactionReport report) throws Exception {
        if (json) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("cut", report.cut().toString());
            body.put("dryRun", report.dryRun());
            body.put("versions", report.versions());
            List<Map<String, Object>> types = report.types().stream().map(t -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("type", t.type());
                one.put("table", t.table());
                one.put("versions", t.versions());
                one.put("transactions", t.transactions());
                one.put("tookMs", t.took().toMillis());
                return one;
            }).toList();
            body.put("types", types);
            body.put("tombstones", report.tombstones().stream().map(t -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("label", t.type());
                one.put("table", t.table());
                one.put("tombstones", t.versions());
                return one;
            }).toList());
            context.out().println(JSON.writeValueAsString(body));
            return;
        }
        if (report.types().isEmpty()) {
            context.out().println("the mapping declares no temporal relationship: there is no history to compact");
            return;
        }
        String verb = report.dryRun() ? "would remove" : "removed";
        context.out().println("closed versions that ended before " + report.cut() + (report.dryRun() ? " (dry run: nothing removed)" : ""));
        for (CompactionReport.TypeResult t : report.types()) {
            context.out().println("  " + t.type() + " (" + t.table() + "): " + verb + " " + t.versions()
                    + (report.dryRun() ? "" : " in " + t.transactions() + " transaction(s), " + t.took().toMillis() + " ms"));
        }
        context.out().println("total: " + verb + " " + report.versions());
        if (!report.tombstones().isEmpty()) {
            context.out().println("tombstones deleted before " + report.cut() + " with no history left");
            for (CompactionReport.TypeResult t : report.tombstones()) {
                context.out().println("  " + t.type() + " (" + t.table() + "): " + verb + " " + t.versions());
            }
        }
    }
}
