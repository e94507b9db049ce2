package io.nexussync.app.admin;

import io.nexussync.app.components.ReverseComponent;
import io.nexussync.app.service.ConflictViews;
import io.nexussync.core.reverse.ConflictLog;
import io.nexussync.core.reverse.ConflictLog.LoggedConflict;
import io.nexussync.core.reverse.ConflictRecord;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /conflicts} on the admin API: reverse sync's conflicts (graph edits PostgreSQL had changed meanwhile), the same
 * operations as {@code nexus-sync conflicts}, in JSON, all behind the admin token (a conflict shows a row's key and both
 * sides' values): {@code GET /conflicts[?all=true]} (open ones, newest first; with {@code all} the settled and resolved
 * ones too), {@code GET /conflicts/ID}, {@code POST /conflicts/ID/resolve} with {@code {"take": "postgres"|"graph",
 * "reason": "..."}}. Who resolved it is recorded as {@link AdminServer#ACTOR}, the holder of the token.
 */
public final class ConflictEndpoint {
    static final int LIST_LIMIT = 1000;

    private ConflictEndpoint() {}

    /** What the endpoint does ({@link #of} over the running service). */
    public interface Operations {
        List<LoggedConflict> list(boolean all, int limit);

        Optional<LoggedConflict> find(long id);

        /** Throws an {@link IllegalArgumentException} that says why for a conflict that cannot be resolved so. */
        LoggedConflict resolve(long id, ConflictRecord.Side take, String by, String reason);

        /** The reverse part of {@code /status}: no keys, no values. */
        Map<String, Object> state();
    }

    public static Operations of(ConflictLog log, ReverseComponent reverse, Clock clock) {
        return new Operations() {
            @Override
            public List<LoggedConflict> list(boolean all, int limit) {
                return log.list(all, limit);
            }

            @Override
            public Optional<LoggedConflict> find(long id) {
                return log.find(id);
            }

            @Override
            public LoggedConflict resolve(long id, ConflictRecord.Side take, String by, String reason) {
                return log.resolve(id, take, by, reason);
            }

            @Override
            public Map<String, Object> state() {
                return ConflictViews.status(reverse.status(), clock.instant());
            }
        };
    }

    static List<Route> routes(Operations conflicts) {
        return List.of(
                Route.guarded("GET", "/conflicts", request -> Reply.json(200, conflicts.list("true".equals(request.queryParameter("all")), LIST_LIMIT)
                        .stream().map(ConflictViews::view).toList())),
                Route.guarded("GET", "/conflicts/{id}", request -> {
                    long id = request.id(1);
                    return Reply.json(200, ConflictViews.view(conflicts.find(id).orElseThrow(() -> unknown(id))));
                }),
                Route.guarded("POST", "/conflicts/{id}/resolve", request -> {
                    long id = request.id(1);
                    Map<?, ?> body = request.json();
                    String take = AdminRequest.text(body, "take");
                    String reason = AdminRequest.text(body, "reason");
                    ConflictRecord.Side side = take == null ? null : switch (take.trim().toLowerCase(Locale.ROOT)) {
                        case "postgres" -> ConflictRecord.Side.POSTGRES;
                        case "graph" -> ConflictRecord.Side.GRAPH;
                        default -> null;
                    };
                    if (side == null) {
                        throw new HttpProblem(400, "the body needs \"take\": \"postgres\" (keep the row as it is) or \"graph\" (write the graph's "
                                + "value to the row, or delete the row the graph deleted), and a \"reason\", e.g. {\"take\": \"graph\", \"reason\": \"the "
                                + "editor's title is the right one\"}");
                    }
                    if (reason == null) {
                        throw new HttpProblem(400, "the body needs a \"reason\": it is recorded with the resolution");
                    }
                    if (conflicts.find(id).isEmpty()) {
                        throw unknown(id);
                    }
                    try {
                        return Reply.json(200, ConflictViews.view(conflicts.resolve(id, side, AdminServer.ACTOR, reason)));
                    } catch (IllegalArgumentException refused) {
                        // The log's own words (not open, a side this kind cannot take), never PostgreSQL's.
                        throw new HttpProblem(400, refused.getMessage());
                    }
                }));
    }

    private static HttpProblem unknown(long id) {
        return new HttpProblem(404, "no conflict #" + id + ": GET /conflicts?all=true lists them");
    }
}
