package io.nexussync.it.testkit;

import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;

/** The statements the history tests write a known sequence of {@code thread_content} changes with, each set in a transaction of its own. */
public final class ThreadContentChanges {
    private ThreadContentChanges() {}

    /** The statements in one transaction; then a pause, so that the next commit is a distinct instant well apart. */
    public static void transaction(SyncEnvironment env, String... statements) throws Exception {
        try (Connection c = env.connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (String statement : statements) {
                st.execute(statement);
            }
            c.commit();
        }
        Thread.sleep(20);
    }

    public static String include(UUID thread, UUID content, double relevance, int position) {
        return "INSERT INTO thread_content (thread_id, content_id, relevance_score, position) VALUES ('" + thread + "', '" + content + "', "
                + relevance + ", " + position + ")";
    }

    public static String set(UUID thread, UUID content, String assignments) {
        return "UPDATE thread_content SET " + assignments + " WHERE thread_id = '" + thread + "' AND content_id = '" + content + "'";
    }

    public static String remove(UUID thread, UUID content) {
        return "DELETE FROM thread_content WHERE thread_id = '" + thread + "' AND content_id = '" + content + "'";
    }
}
