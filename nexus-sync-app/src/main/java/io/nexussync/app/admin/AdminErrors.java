package io.nexussync.app.admin;

import com.fasterxml.jackson.core.JacksonException;
import io.nexussync.core.error.SyncException;
import io.nexussync.postgres.PgErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exceptions to HTTP answers, in one place. Our own messages go to the caller; PostgreSQL's and Neo4j's never do
 * (they can quote a row's values: {@code invalid input syntax for type integer: "..."}): a failure with a
 * PostgreSQL failure behind it ({@link PgErrors#sqlStateBehind}) is answered with its SQLState, any other {@link SyncException} with its
 * {@link SyncException#publicMessage()}, and the full message is logged here.
 */
final class AdminErrors {
    private static final Logger log = LoggerFactory.getLogger(AdminErrors.class);

    private AdminErrors() {}

    static Reply reply(String request, Exception e) {
        if (e instanceof HttpProblem problem) {
            return Reply.error(problem.status(), problem.getMessage());
        }
        if (e instanceof JacksonException json) {
            String detail = String.valueOf(json.getOriginalMessage());
            return Reply.error(400, "the body is not the JSON expected: " + (detail.length() > 200 ? detail.substring(0, 200) + "..." : detail));
        }
        if (e instanceof SyncException sync) {
            String state = PgErrors.sqlStateBehind(sync);
            if (state != null) {
                log.warn("{} failed: {}", request, sync.getMessage(), sync);
                if (sync.isRetryable()) {
                    return Reply.error(503, "PostgreSQL could not be reached or was busy (SQLState " + state + "); try again: the service log has the details");
                }
                // Classes 22 (data) and 42 (syntax, names): what the caller sent. Anything else is the service's problem.
                int status = state.startsWith("22") || state.startsWith("42") ? 400 : 500;
                return Reply.error(status, "PostgreSQL refused it (SQLState " + state + "): its message is in the service log, "
                        + "not repeated here as it may quote row values");
            }
            if (!sync.publicMessage().equals(sync.getMessage())) {
                log.warn("{} failed: {}", request, sync.getMessage());
            }
            return Reply.error(sync.isRetryable() ? 503 : 400, sync.publicMessage());
        }
        log.error("{} failed", request, e);
        return Reply.error(500, "the request failed inside the service (" + e.getClass().getSimpleName() + "): the service log has the details");
    }
}
