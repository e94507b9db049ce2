package io.nexussync.app.service;

import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.VerifyProgress;
import io.nexussync.core.verify.VerifyReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A verify report in the forms people read: the summary (counts only: safe to show without the admin token), the
 * findings (they name rows' keys: data), JSON trees and the console text. Shared by {@code nexus-sync verify}, the
 * admin API and {@code /status}.
 */
public final class VerifyReports {
    /** What the two counts that are not findings mean: printed beside them. */
    public static final String UNCONFIRMED_MEANS = "suspects not checked again because the stream did not reach the position they were read at "
            + "in time (is the service running and caught up?): verify again";
    public static final String UNSETTLED_MEANS = "suspects whose row kept changing through every check (busy rows, not discrepancies): verify again";

    private VerifyReports() {}

    /** Counts only, no keys: agrees, entities, time, rate, findings by check and entity type, unconfirmed, unsettled. */
    public static Map<String, Object> summary(VerifyReport report) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("agrees", report.agrees());
        view.put("startedAt", report.startedAt().toString());
        view.put("tookMs", report.took().toMillis());
        view.put("entities", report.entities());
        view.put("entitiesPerSecond", Math.round(rate(report)));
        view.put("findings", report.findingCount());
        view.put("findingsByCheckAndTable", report.byCheckAndTable());
        view.put("unconfirmed", report.unconfirmed());
        view.put("unsettled", report.unsettled());
        view.put("dryRun", report.dryRun());
        List<Map<String, Object>> tables = report.subjects().stream().map(s -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("table", s.table());
            one.put("graphName", s.graphName());
            one.put("rows", s.rows());
            one.put("graphEntities", s.graphEntities());
            one.put("ranges", s.ranges());
            one.put("differingRanges", s.differingRanges());
            one.put("suspects", s.suspects());
            one.put("findings", s.findings());
            return one;
        }).toList();
        view.put("tables", tables);
        return view;
    }

    /** The summary and every finding the report kept. */
    public static Map<String, Object> full(VerifyReport report) {
        Map<String, Object> view = summary(report);
        view.put("findingsListed", report.findings().size());
        view.put("findingList", report.findings().stream().map(VerifyReports::finding).toList());
        return view;
    }

    public static Map<String, Object> finding(LoggedFinding f) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", f.id());
        view.put("kind", f.finding().kind().external());
        view.put("check", f.finding().check().external());
        view.put("table", f.finding().table());
        view.put("graphName", f.finding().graphName());
        view.put("key", EntityKeys.display(f.finding().key()));
        view.put("elementId", f.finding().elementId());
        view.put("properties", f.finding().properties());
        view.put("description", f.finding().kind().description());
        view.put("status", f.status().external());
        view.put("action", f.action() == null ? null : f.action().external());
        view.put("rule", f.rule());
        view.put("decidedBy", f.decidedBy());
        view.put("reason", f.reason());
        view.put("detectedAt", f.detectedAt() == null ? null : f.detectedAt().toString());
        view.put("settledAt", f.settledAt() == null ? null : f.settledAt().toString());
        return view;
    }

    public static Map<String, Object> progress(VerifyProgress.Snapshot s) {
        if (s == null) {
            return null;
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("running", s.running());
        view.put("table", s.table());
        view.put("ranges", s.ranges());
        view.put("entities", s.entities());
        view.put("entitiesTotal", s.entitiesTotal());
        view.put("entitiesPerSecond", Math.round(s.entitiesPerSecond()));
        view.put("secondsLeft", s.timeLeft() == null ? null : s.timeLeft().toSeconds());
        view.put("startedAt", s.startedAt().toString());
        view.put("suspects", s.suspects());
        view.put("findings", s.findings());
        return view;
    }

    /** The console's summary and findings. */
    public static String asText(VerifyReport report) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%s%d entities compared in %.1f s (%d/s)%n", report.dryRun() ? "dry run: " : "", report.entities(),
                report.took().toMillis() / 1000.0, Math.round(rate(report))));
        if (report.findingCount() == 0) {
            out.append("no discrepancies\n");
        } else {
            out.append(report.findingCount()).append(" discrepancies, by check and entity type:\n");
            report.byCheckAndTable().forEach((check, tables) -> tables.forEach((table, n) ->
                    out.append(String.format("  %-13s %-40s %d%n", check, table, n))));
        }
        if (report.unconfirmed() > 0) {
            out.append(report.unconfirmed()).append(" unconfirmed: ").append(UNCONFIRMED_MEANS).append('\n');
        }
        if (report.unsettled() > 0) {
            out.append(report.unsettled()).append(" unsettled: ").append(UNSETTLED_MEANS).append('\n');
        }
        for (LoggedFinding f : report.findings()) {
            out.append(findingLine(f)).append('\n');
        }
        if (report.findings().size() < report.findingCount()) {
            out.append("(").append(report.findingCount() - report.findings().size())
                    .append(" more in nexus_sync.reconciliation_log: nexus-sync verify findings --all)\n");
        }
        out.append(report.agrees() ? "the two sides agree\n" : "the two sides do not agree\n");
        return out.toString();
    }

    /** {@code #12 property-differs public.content_items 42 [title] repair-requested}. */
    public static String findingLine(LoggedFinding f) {
        return String.format("%s %s %s %s %s %s%s", f.id() == 0 ? "-" : "#" + f.id(), f.finding().kind().external(), f.finding().table(),
                EntityKeys.display(f.finding().key()), f.finding().properties().isEmpty() ? "" : f.finding().properties(), f.status().external(),
                f.reason() == null ? "" : " (" + f.reason() + ")");
    }

    private static double rate(VerifyReport report) {
        double seconds = Math.max(0.001, report.took().toMillis() / 1000.0);
        return report.entities() / seconds;
    }
}
