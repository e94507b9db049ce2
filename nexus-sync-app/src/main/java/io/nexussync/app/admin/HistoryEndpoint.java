package io.nexussync.app.admin;

import io.nexussync.app.service.HistoryParameters;
import io.nexussync.app.service.HistoryViews;
import io.nexussync.core.history.NotTemporal;
import io.nexussync.core.history.RelationshipHistory;
import io.nexussync.core.history.TemporalGraph;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code /history} on the admin API: as-of queries over the temporal relationships, the answers of {@code nexus-sync history}
 * in JSON, behind the admin token (they show row data). {@code GET /history/threads/ID?at=TIME} (a thread's contents at that
 * instant, default now), {@code GET /history/threads/ID/changes?from=TIME&to=TIME}, and the same for any temporal join table:
 * {@code GET /history/relationships/TABLE/FROM_ID[?at=]} and {@code .../changes}. A bad or unknown parameter is a 400 naming it
 * and the fix; a table without history a 400 (404 when not mapped at all) naming the temporal tables; Neo4j's own text is never
 * sent ({@link AdminErrors}).
 */
public final class HistoryEndpoint {
    static final Set<String> AS_OF = Set.of("at");
    static final Set<String> CHANGES = Set.of("from", "to");

    private HistoryEndpoint() {}

    /** What the endpoint reads: the mapping's temporal relationships in the graph. */
    public record Operations(Mapping mapping, RelationshipHistory history) {}

    public static Operations of(Mapping mapping, TemporalGraph graph) {
        return new Operations(mapping, new RelationshipHistory(graph));
    }

    static List<Route> routes(Operations operations, Clock clock) {
        return List.of(
                Route.guarded("GET", "/history/threads/{name}", request ->
                        contents(operations, thread(operations), request, 1, RelationshipHistory.THREAD_ORDER, clock)),
                Route.guarded("GET", "/history/threads/{name}/changes", request ->
                        changes(operations, thread(operations), request, 1, clock)),
                Route.guarded("GET", "/history/relationships/{table}/{start}", request ->
                        contents(operations, () -> temporal(operations, request), request, 2, null, clock)),
                Route.guarded("GET", "/history/relationships/{table}/{start}/changes", request ->
                        changes(operations, () -> temporal(operations, request), request, 2, clock)));
    }

    private static Reply contents(Operations operations, Supplier<RelationshipMapping> which, AdminRequest request, int startGroup, String orderBy,
                                  Clock clock) {
        known(request, AS_OF, "at (an ISO-8601 instant with its offset; default now)");
        java.time.Instant at = parameters(() -> HistoryParameters.at(request.queryParameter("at"), clock));
        RelationshipHistory.Contents found = operations.history().at(which.get(), start(request, startGroup), at, orderBy);
        return Reply.json(200, HistoryViews.contents(found));
    }

    private static Reply changes(Operations operations, Supplier<RelationshipMapping> which, AdminRequest request, int startGroup, Clock clock) {
        known(request, CHANGES, "from and to (ISO-8601 instants with their offsets; default the beginning and now)");
        HistoryParameters.Window window = parameters(() -> HistoryParameters.window(request.queryParameter("from"), request.queryParameter("to"), clock));
        RelationshipHistory.Changes found = operations.history().changes(which.get(), start(request, startGroup), window.from(), window.to());
        return Reply.json(200, HistoryViews.changes(found));
    }

    private static Supplier<RelationshipMapping> thread(Operations operations) {
        return () -> refusedUnlessTemporal(() -> RelationshipHistory.threadContent(operations.mapping()));
    }

    private static RelationshipMapping temporal(Operations operations, AdminRequest request) {
        String table = segment(request.name(1));
        TableId id;
        try {
            id = TableId.parse(table);
        } catch (IllegalArgumentException e) {
            throw new HttpProblem(400, "'" + table + "' is not schema.table: name a temporal join table, e.g. public.thread_content");
        }
        return refusedUnlessTemporal(() -> RelationshipHistory.temporal(operations.mapping(), id));
    }

    private static RelationshipMapping refusedUnlessTemporal(Supplier<RelationshipMapping> resolve) {
        try {
            return resolve.get();
        } catch (NotTemporal e) {
            throw new HttpProblem(e.known() ? 400 : 404, e.getMessage());
        }
    }

    private static String start(AdminRequest request, int group) {
        String start = segment(request.name(group)).trim();
        if (start.isEmpty()) {
            throw new HttpProblem(400, "the start node's id is empty: give the id its node has in the graph (the row's key)");
        }
        return start;
    }

    /** A path segment as sent, percent-decoded ('+' stays a plus: in a path it is not a space). */
    private static String segment(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static <T> T parameters(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (HistoryParameters.BadParameter bad) {
            throw new HttpProblem(400, "query parameter '" + bad.parameter() + "': " + bad.getMessage());
        }
    }

    private static void known(AdminRequest request, Set<String> allowed, String takes) {
        if (request.query() == null) {
            return;
        }
        for (String pair : request.query().split("&")) {
            String name = URLDecoder.decode(pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair, StandardCharsets.UTF_8);
            if (!name.isEmpty() && !allowed.contains(name)) {
                throw new HttpProblem(400, "unknown query parameter '" + name + "': this endpoint takes " + takes
                        + (allowed == AS_OF ? "; what changed is at .../changes?from=&to=" : ""));
            }
        }
    }
}
