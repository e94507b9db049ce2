package io.nexussync.app.admin;

import io.nexussync.app.components.VerifyComponent;
import io.nexussync.app.service.VerifyReports;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.TableId;
import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.LoggedFinding;
import io.nexussync.core.verify.ReconciliationLog;
import io.nexussync.core.verify.Subject;
import io.nexussync.core.verify.Verifier;
import io.nexussync.core.verify.VerifyReport;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /verify} on the admin API: the service's verify runs, one entity checked, the findings and a person's
 * resolution of one.
 *
 * <p>{@code GET /verify} is open, as {@code /status} is (which shows the same): progress and the last run's summary hold
 * counts and table names only. What names rows' keys is data and needs the admin token: the findings
 * ({@code GET /verify/findings}) and the answer of {@code POST /verify/entity}; so does everything that starts or decides
 * something ({@code POST /verify}, {@code POST /verify/findings/ID/resolve}). Who did it is recorded as
 * {@link AdminServer#ACTOR}.
 */
public final class VerifyEndpoint {
    static final int FINDINGS_LIMIT = 1000;

    private VerifyEndpoint() {}

    /** What the endpoint does ({@link #of} over the running service). */
    public interface Operations {
        /** @return false when a run is going (not queued); throws for a table the mapping does not map */
        boolean start(TableId table, boolean repair, boolean dryRun);

        /** The body of {@code GET /verify} and the {@code verify} part of {@code /status}: no keys, no values. */
        Map<String, Object> state();

        VerifyReport checkEntity(TableId table, String key, boolean repair) throws InterruptedException;

        List<LoggedFinding> findings(boolean all, int limit);

        Optional<LoggedFinding> resolve(long id, boolean takePostgres, String reason, String by);
    }

    public static Operations of(VerifyComponent verify, ReconciliationLog log, Mapping mapping) {
        return new Operations() {
            @Override
            public boolean start(TableId table, boolean repair, boolean dryRun) {
                mapped(mapping, table);
                return verify.start(new Verifier.Request(table, repair, dryRun, AdminServer.ACTOR));
            }

            @Override
            public Map<String, Object> state() {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("running", verify.running());
                body.put("progress", VerifyReports.progress(verify.progress()));
                VerifyComponent.Outcome last = verify.last();
                if (last == null) {
                    body.put("last", null);
                } else {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("table", last.request().table() == null ? null : last.request().table().toString());
                    view.put("repair", last.request().repair());
                    view.put("dryRun", last.request().dryRun());
                    view.put("by", last.request().by());
                    view.put("endedAt", last.endedAt().toString());
                    view.put("error", last.error());
                    view.put("summary", last.report() == null ? null : VerifyReports.summary(last.report()));
                    body.put("last", view);
                }
                Map<String, Object> schedule = new LinkedHashMap<>();
                schedule.put("interval", verify.interval().isZero() ? "off" : verify.interval().toString());
                schedule.put("repair", verify.scheduledRepair());
                Instant next = verify.nextScheduled();
                schedule.put("next", next == null ? null : next.toString());
                body.put("schedule", schedule);
                body.put("lastRepairError", verify.lastRepairError());
                return body;
            }

            @Override
            public VerifyReport checkEntity(TableId table, String key, boolean repair) throws InterruptedException {
                mapped(mapping, table);
                return verify.checkEntity(table, key, repair, AdminServer.ACTOR);
            }

            @Override
            public List<LoggedFinding> findings(boolean all, int limit) {
                return log.findings(!all, limit);
            }

            @Override
            public Optional<LoggedFinding> resolve(long id, boolean takePostgres, String reason, String by) {
                return log.resolve(id, takePostgres, reason, by);
            }
        };
    }

    /** A table the mapping maps, or a refusal that lists those it does. */
    public static void mapped(Mapping mapping, TableId table) {
        if (table != null && Subject.of(mapping, table).isEmpty()) {
            throw SyncException.persistent("verify: " + table + " is not a mapped table (mapped: " + mapping.tables() + ")", null);
        }
    }

    static List<Route> routes(Operations verify) {
        return List.of(
                Route.open("GET", "/verify", request -> Reply.json(200, verify.state())),
                Route.guarded("POST", "/verify", request -> {
                    Map<?, ?> body = request.json();
                    TableId table = table(AdminRequest.text(body, "table"));
                    if (!verify.start(table, flag(body, "repair"), flag(body, "dryRun"))) {
                        return Reply.error(409, "a verify is already running: GET /verify shows its progress; ask again once it has ended");
                    }
                    return Reply.json(202, Map.of("started", true));
                }),
                Route.guarded("POST", "/verify/entity", request -> {
                    Map<?, ?> body = request.json();
                    String table = AdminRequest.text(body, "table");
                    String key = AdminRequest.text(body, "key");
                    if (table == null || key == null) {
                        throw new HttpProblem(400, "the body needs \"table\" and \"key\", e.g. {\"table\": \"public.content_items\", \"key\": \"42\"}"
                                + " (a join table's key as \"(from)->(to)\")");
                    }
                    VerifyReport report = verify.checkEntity(table(table), EntityKeys.parseDisplayed(key), flag(body, "repair"));
                    return Reply.json(200, VerifyReports.full(report));
                }),
                Route.guarded("GET", "/verify/findings", request -> Reply.json(200,
                        verify.findings("true".equals(request.queryParameter("all")), FINDINGS_LIMIT).stream().map(VerifyReports::finding).toList())),
                Route.guarded("POST", "/verify/findings/{id}/resolve", request -> {
                    long id = request.id(1);
                    Map<?, ?> body = request.json();
                    String take = AdminRequest.text(body, "take");
                    String reason = AdminRequest.text(body, "reason");
                    if (take == null || !List.of("postgres", "graph").contains(take.toLowerCase(Locale.ROOT))) {
                        throw new HttpProblem(400, "the body needs \"take\": \"postgres\" (repair the graph from the row) or \"graph\" "
                                + "(keep the graph as it is), and a \"reason\"");
                    }
                    if (reason == null) {
                        throw new HttpProblem(400, "the body needs a \"reason\": it is recorded with the resolution");
                    }
                    return verify.resolve(id, take.equalsIgnoreCase("postgres"), reason, AdminServer.ACTOR)
                            .map(f -> Reply.json(200, VerifyReports.finding(f)))
                            .orElseThrow(() -> new HttpProblem(404, "no open finding #" + id + ": GET /verify/findings lists them"));
                }));
    }

    private static TableId table(String text) {
        return text == null ? null : TableId.parse(text.trim());
    }

    private static boolean flag(Map<?, ?> body, String field) {
        Object value = body.get(field);
        if (value != null && !(value instanceof Boolean)) {
            throw new HttpProblem(400, "\"" + field + "\" must be true or false");
        }
        return Boolean.TRUE.equals(value);
    }
}
