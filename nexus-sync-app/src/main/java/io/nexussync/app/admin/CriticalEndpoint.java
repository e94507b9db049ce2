package io.nexussync.app.admin;

import io.nexussync.app.components.CriticalComponent;
import io.nexussync.app.service.CriticalViews;
import io.nexussync.postgres.critical.CriticalStatus;
import io.nexussync.postgres.critical.PgCriticalRunner;
import io.nexussync.postgres.critical.PgPreparedTransactions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /critical} on the admin API, behind the admin token: {@code GET /critical[?limit=N]}, the critical writes still
 * prepared (oldest first) and then the newest finished ones, as the console lists them; {@code GET /critical/ID}, what became of a critical write
 * (as {@code nexus-sync critical status ID}: 200 with its state, 404 when PostgreSQL knows no such write), and
 * {@code POST /critical} with {@code {"statements": ["...", ...], "id": "...", "waitSeconds": 10}}: the statements run as one
 * critical write (prepared as {@code nexus_sync:<id>}, a new UUID without an id), 200 with the outcome once nexus-sync has
 * committed or rolled it back, 202 when it is still pending after the wait (then poll {@code GET /critical/ID}). A
 * statement PostgreSQL refuses is answered with its index and SQLState, never PostgreSQL's text.
 */
public final class CriticalEndpoint {
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    /** A request that waits longer would hold one of the admin API's few PostgreSQL threads for it. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(30);

    private CriticalEndpoint() {}

    /** What the endpoint does ({@link #of} over the running service). */
    public interface Operations {
        CriticalStatus status(String id);

        /** Every one still prepared, oldest first, then the newest finished; {@code limit} in all. */
        List<CriticalStatus> recent(int limit);

        CriticalStatus run(List<String> statements, String id, Duration wait) throws InterruptedException;

        /** The critical part of {@code /status}: counts and ages, no ids. */
        Map<String, Object> state();

        /** What makes {@code /health} degraded on account of critical writes (none when all is well). */
        List<String> healthReasons();
    }

    public static Operations of(PgPreparedTransactions prepared, PgCriticalRunner runner, CriticalComponent critical, Clock clock) {
        return new Operations() {
            @Override
            public CriticalStatus status(String id) {
                return prepared.status(id);
            }

            @Override
            public List<CriticalStatus> recent(int limit) {
                return prepared.recent(limit);
            }

            @Override
            public CriticalStatus run(List<String> statements, String id, Duration wait) throws InterruptedException {
                return runner.run(statements, id, wait);
            }

            @Override
            public Map<String, Object> state() {
                return CriticalViews.status(critical, clock.instant());
            }

            @Override
            public List<String> healthReasons() {
                return critical.healthReasons();
            }
        };
    }

    static List<Route> routes(Operations critical) {
        return List.of(
                Route.guarded("GET", "/critical", request -> {
                    List<Map<String, Object>> views = new ArrayList<>();
                    critical.recent(limitOf(request)).forEach(status -> views.add(CriticalViews.view(status)));
                    return Reply.json(200, views);
                }),
                Route.guarded("GET", "/critical/{name}", request -> {
                    CriticalStatus status = critical.status(request.name(1));
                    Map<String, Object> view = CriticalViews.view(status);
                    if (status.state() == CriticalStatus.State.UNKNOWN) {
                        view.put("error", "no critical write '" + status.id() + "' is known: " + status.note());
                        return Reply.json(404, view);
                    }
                    return Reply.json(200, view);
                }),
                Route.guarded("POST", "/critical", request -> {
                    Map<?, ?> body = request.json();
                    CriticalStatus outcome = critical.run(statements(body), AdminRequest.text(body, "id"), waitOf(body));
                    Reply reply = Reply.json(outcome.pending() ? 202 : 200, CriticalViews.view(outcome));
                    return outcome.pending() ? reply.withHeader("Location", "/critical/" + outcome.id()) : reply;
                }));
    }

    private static List<String> statements(Map<?, ?> body) {
        Object value = body.get("statements");
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw new HttpProblem(400, "the body needs \"statements\": the SQL to run as one critical write, e.g. {\"statements\": [\"UPDATE "
                    + "content_items SET access_level = 'private' WHERE id = '...'\"], \"waitSeconds\": 10} (nexus-sync begins and prepares the "
                    + "transaction itself)");
        }
        List<String> statements = new ArrayList<>();
        for (Object statement : list) {
            if (!(statement instanceof String text) || text.isBlank()) {
                throw new HttpProblem(400, "\"statements\" must be a list of SQL statements (non-empty strings)");
            }
            statements.add(text);
        }
        return statements;
    }

    private static int limitOf(AdminRequest request) {
        String text = request.queryParameter("limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw new HttpProblem(400, "limit must be a whole number from 1 to " + MAX_LIMIT + " (how many critical writes to list: the prepared "
                + "ones first, then the newest finished), not '" + text + "'");
    }

    private static Duration waitOf(Map<?, ?> body) {
        Object value = body.get("waitSeconds");
        if (value == null) {
            return DEFAULT_WAIT;
        }
        if (!(value instanceof Number seconds) || seconds.doubleValue() < 0 || seconds.doubleValue() > LONGEST_WAIT.toSeconds()) {
            throw new HttpProblem(400, "\"waitSeconds\" must be a number from 0 to " + LONGEST_WAIT.toSeconds() + " (how long to wait for the "
                    + "outcome before answering 202)");
        }
        return Duration.ofMillis(Math.round(seconds.doubleValue() * 1000));
    }
}
