package io.nexussync.neo4j;

import java.util.Map;
import org.neo4j.driver.TransactionConfig;

/**
 * The service's half of the loop guard: every Neo4j transaction the service opens carries the metadata
 * {@code {"nexus-sync": <purpose>}}, which the nexus-sync Neo4j plugin reads in {@code beforeCommit} and skips, so nothing
 * the service writes to the graph is sent back to PostgreSQL or bumps a graph version. Reads carry it too, so that no
 * transaction of ours can be mistaken for a user's (and a server's query log tells them apart). Every session of this
 * module asks here for its transaction's configuration; the purposes are the values the plugin and a log reader see.
 */
public final class Neo4jTransactions {
    /** The metadata key the plugin looks for. */
    public static final String METADATA_KEY = "nexus-sync";
    /** The one purpose the plugin answers: it writes its version on the probe node, which is how the service finds it. */
    public static final String PLUGIN_PROBE = "plugin-probe";
    public static final String APPLY = "apply";
    public static final String SNAPSHOT = "snapshot";
    public static final String REPAIR = "repair";
    public static final String CHECKPOINT = "checkpoint";
    public static final String SCHEMA = "schema";
    public static final String VERIFY = "verify";
    public static final String CROSS_REFERENCE = "cross-reference";
    /** Reverse sync's own graph work: outbox reads and removals, keys, removals PostgreSQL decided, the plugin's configuration. */
    public static final String REVERSE = "reverse";
    /** Critical writes: a prepared transaction's changes with its decision, and recovery's decisions. */
    public static final String CRITICAL = "critical";
    /** As-of reads of temporal relationships ({@code history}). */
    public static final String HISTORY = "history";
    /** History retention: removing closed versions of temporal relationships (never a current one). */
    public static final String HISTORY_RETENTION = "history-retention";
    /** Removing deletion markers older than the change topic's retention ({@code Neo4jGraphWriter#removeDeletionMarkersBefore}). */
    public static final String DELETION_MARKER_RETENTION = "deletion-marker-retention";

    private Neo4jTransactions() {}

    public static TransactionConfig config(String purpose) {
        return TransactionConfig.builder().withMetadata(Map.of(METADATA_KEY, purpose)).build();
    }
}
