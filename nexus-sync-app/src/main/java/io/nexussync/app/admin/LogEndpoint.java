package io.nexussync.app.admin;

import io.nexussync.app.service.LogFilter;
import io.nexussync.app.service.LogViews;
import io.nexussync.postgres.bookkeeping.LogEntry;
import io.nexussync.postgres.bookkeeping.LogQuery;
import io.nexussync.postgres.bookkeeping.PgTransactionLog;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /log} on the admin API: rows of the transaction log, newest first, read-only, behind the admin token (rows
 * carry keys and the changes' values): {@code ?entity=TABLE:KEY&status=S&since=TIME&limit=N}, the filters of
 * {@code nexus-sync log} ({@link LogFilter}). A bad or unknown parameter is a 400 that names it and the fix; the rows are
 * shown without their error text ({@link LogViews}).
 */
public final class LogEndpoint {
    static final Set<String> PARAMETERS = Set.of("entity", "status", "since", "limit");

    private LogEndpoint() {}

    /** What the endpoint reads ({@link #of} over the service's transaction log). */
    @FunctionalInterface
    public interface Operations {
        List<LogEntry> read(LogQuery query);
    }

    public static Operations of(PgTransactionLog log) {
        return log::read;
    }

    static List<Route> routes(Operations log, Clock clock) {
        return List.of(Route.guarded("GET", "/log", request -> {
            if (request.query() != null) {
                for (String pair : request.query().split("&")) {
                    String name = URLDecoder.decode(pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair, StandardCharsets.UTF_8);
                    if (!name.isEmpty() && !PARAMETERS.contains(name)) {
                        throw new HttpProblem(400, "unknown query parameter '" + name + "': GET /log takes entity (TABLE:KEY), status, since "
                                + "(a time or how long ago) and limit (1 to " + LogQuery.MAX_LIMIT + ")");
                    }
                }
            }
            LogQuery query;
            try {
                query = LogFilter.parse(request.queryParameter("entity"), request.queryParameter("status"), request.queryParameter("since"),
                        request.queryParameter("limit"), clock);
            } catch (LogFilter.BadFilter bad) {
                throw new HttpProblem(400, "query parameter '" + bad.filter() + "': " + bad.getMessage());
            }
            return Reply.json(200, log.read(query).stream().map(e -> LogViews.view(e, false)).toList());
        }));
    }
}
