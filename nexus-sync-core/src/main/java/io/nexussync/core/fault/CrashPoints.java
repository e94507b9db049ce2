package io.nexussync.core.fault;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Places in the flow of a change where a crash test can stop the process dead, as SIGKILL would but at an
 * exact point rather than a lucky one: {@code NEXUS_SYNC_CRASH_AT=point:n} halts the JVM (no shutdown hook,
 * nothing drained) the n-th time {@code point} is reached. Unset, as in any real deployment, a point costs one
 * volatile read. Only the crash tests set it; it is not a setting of the service.
 */
public final class CrashPoints {
    /** On the apply loop, as soon as a batch's graph transaction (data + checkpoint) has committed: before write-back and acknowledgement. */
    public static final String AFTER_GRAPH_COMMIT = "after-graph-commit";
    /** On the after-commit stage, after a batch's write-back, before the slot is acknowledged. */
    public static final String BEFORE_ACKNOWLEDGE = "before-acknowledge";

    /** In verify's repair, once its findings are marked repairing, before the chunk goes into the stream. */
    public static final String REPAIR_BEFORE_WRITE = "repair-before-write";
    /** In verify's repair, once the graph has committed the repair, before its findings are marked repaired. */
    public static final String REPAIR_AFTER_COMMIT = "repair-after-commit";

    /** In reverse sync, once PostgreSQL has committed a round's entries, before the graph's cleanup and the outbox removal. */
    public static final String REVERSE_AFTER_POSTGRES_COMMIT = "reverse-after-postgres-commit";
    /** In reverse sync, once a created node holds PostgreSQL's key, before the row is inserted. */
    public static final String REVERSE_AFTER_KEY_ASSIGNED = "reverse-after-key-assigned";

    /** On the apply loop, as soon as a critical write's PREPARE has been read, before anything of it is written. */
    public static final String CRITICAL_AFTER_PREPARE_READ = "critical-after-prepare-read";
    /** On the apply loop, once the graph holds a critical write and its decision, before PostgreSQL is told. */
    public static final String CRITICAL_AFTER_GRAPH_COMMIT = "critical-after-graph-commit";
    /** Just before COMMIT PREPARED or ROLLBACK PREPARED is sent (the outcome row is not written yet either). */
    public static final String CRITICAL_BEFORE_FINISH = "critical-before-finish";
    /** Once PostgreSQL has run COMMIT PREPARED or ROLLBACK PREPARED, before anything else of the service knows. */
    public static final String CRITICAL_AFTER_FINISH = "critical-after-finish";

    public static final String VARIABLE = "NEXUS_SYNC_CRASH_AT";
    private static final int EXIT_CODE = 137;

    private static final Set<String> POINTS = Set.of(AFTER_GRAPH_COMMIT, BEFORE_ACKNOWLEDGE, REPAIR_BEFORE_WRITE, REPAIR_AFTER_COMMIT,
            REVERSE_AFTER_POSTGRES_COMMIT, REVERSE_AFTER_KEY_ASSIGNED, CRITICAL_AFTER_PREPARE_READ, CRITICAL_AFTER_GRAPH_COMMIT,
            CRITICAL_BEFORE_FINISH, CRITICAL_AFTER_FINISH);

    private static volatile CrashPoints armed = parse(System.getenv(VARIABLE));

    private final String point;
    private final int hit;
    private final AtomicInteger reached = new AtomicInteger();

    private CrashPoints(String point, int hit) {
        this.point = point;
        this.hit = hit;
    }

    /** Halts the JVM if this is the armed point's n-th arrival. */
    public static void reach(String point) {
        CrashPoints current = armed;
        if (current != null && current.point.equals(point) && current.reached.incrementAndGet() == current.hit) {
            System.err.println("nexus-sync: halting at crash point " + point + " (" + VARIABLE + ")");
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }

    static CrashPoints parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String[] parts = value.trim().split(":");
        if (parts.length != 2 || !POINTS.contains(parts[0])) {
            throw new IllegalArgumentException(VARIABLE + " must be one of " + POINTS + " followed by :N, not '" + value + "'");
        }
        int hit = Integer.parseInt(parts[1]);
        if (hit < 1) {
            throw new IllegalArgumentException(VARIABLE + ": N counts arrivals from 1, not " + hit);
        }
        return new CrashPoints(parts[0], hit);
    }
}
