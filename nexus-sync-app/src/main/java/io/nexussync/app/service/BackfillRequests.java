package io.nexussync.app.service;

import java.util.List;
import java.util.Map;

/** What the admin API's {@code /backfill} does: queue a job, list the jobs ({@link Backfills} against PostgreSQL). */
public interface BackfillRequests {

    /**
     * @param table {@code schema.table}, or a bare name in {@code public}
     * @param where one boolean expression on its columns, or null for every row
     * @return the job id
     */
    long request(String table, String where, String requestedBy);

    /** The newest {@code limit} jobs, newest first. */
    List<Map<String, Object>> list(int limit);
}
