package io.nexussync.app.admin;

import io.nexussync.postgres.deadletter.DeadLetterQueue;
import io.nexussync.postgres.deadletter.DeadLetterQueue.Entry;
import io.nexussync.postgres.deadletter.DeadLetterQueue.Release;
import java.util.List;
import java.util.Map;

/**
 * {@code /dlq} on the admin API, the same operations as {@code nexus-sync dlq}, in JSON, all behind the admin
 * token (a dead letter shows a row's values): {@code GET /dlq[?status=S]}, {@code GET /dlq/ID},
 * {@code POST /dlq/ID/retry}, {@code POST /dlq/retry-all}, {@code POST /dlq/ID/skip}. A POST body may give
 * {@code {"reason": "..."}} (a skip needs one). Who did it is recorded as {@link AdminServer#ACTOR}, the
 * holder of the token; a {@code "by"} in the body is not taken for it.
 */
public final class DeadLetterEndpoint {
    private DeadLetterEndpoint() {}

    /** What the endpoint does with dead letters ({@link DeadLetterQueue} in PostgreSQL). */
    public interface Operations {
        List<Entry> list(String status, int limit);

        Entry show(long id);

        List<Entry> parkedBehind(long id);

        Release retry(long id, String actor, String reason);

        List<Release> retryAll(String actor, String reason);

        Release skip(long id, String actor, String reason);
    }

    public static Operations of(DeadLetterQueue queue) {
        return new Operations() {
            @Override
            public List<Entry> list(String status, int limit) {
                return queue.list(status, limit);
            }

            @Override
            public Entry show(long id) {
                return queue.show(id);
            }

            @Override
            public List<Entry> parkedBehind(long id) {
                return queue.parkedBehind(id);
            }

            @Override
            public Release retry(long id, String actor, String reason) {
                return queue.retry(id, actor, reason);
            }

            @Override
            public List<Release> retryAll(String actor, String reason) {
                return queue.retryAll(actor, reason);
            }

            @Override
            public Release skip(long id, String actor, String reason) {
                return queue.skip(id, actor, reason);
            }
        };
    }

    static List<Route> routes(Operations queue) {
        return List.of(
                Route.guarded("GET", "/dlq", request -> Reply.json(200, queue.list(request.queryParameter("status"), 1000))),
                Route.guarded("GET", "/dlq/{id}", request -> {
                    long id = request.id(1);
                    return Reply.json(200, Map.of("deadLetter", queue.show(id), "parkedBehind", queue.parkedBehind(id)));
                }),
                Route.guarded("POST", "/dlq/retry-all", request ->
                        Reply.json(200, queue.retryAll(AdminServer.ACTOR, AdminRequest.text(request.json(), "reason")))),
                Route.guarded("POST", "/dlq/{id}/retry", request ->
                        Reply.json(200, queue.retry(request.id(1), AdminServer.ACTOR, AdminRequest.text(request.json(), "reason")))),
                Route.guarded("POST", "/dlq/{id}/skip", request ->
                        Reply.json(200, queue.skip(request.id(1), AdminServer.ACTOR, AdminRequest.text(request.json(), "reason")))));
    }
}
