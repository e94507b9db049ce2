package io.nexussync.app.config;

import io.nexussync.postgres.PgSettings;
import io.nexussync.core.fault.CircuitBreaker;
import java.time.Duration;

/** The service's whole configuration, immutable and validated ({@link ConfigLoader}). */
public record SyncConfig(
        PgSettings postgres,
        String neo4jUri,
        String neo4jUser,
        String neo4jPassword,
        String neo4jDatabase,
        String mappingFile,
        int batchSize,
        Duration batchDelay,
        int queueCapacity,
        AdminSettings admin,
        Duration heartbeat,
        long walWarnBytes,
        Duration slotCheckInterval,
        Duration batchTarget,
        int applyWorkers,
        long readAheadBytes,
        int laneCacheEntries,
        CircuitBreaker.Settings circuits,
        java.util.Set<io.nexussync.core.model.TableId> revertRefused,
        Duration backfillStatementTimeout,
        Duration verifyInterval,
        boolean verifyRepair,
        ReverseSettings reverse,
        CriticalSettings critical,
        /* the CA whose certificates the Neo4j driver trusts (neo4j.trusted-ca-file), or null: the URI's scheme decides */
        java.nio.file.Path neo4jTrustedCaFile,
        Duration logRetention,
        /* history.retention: how long closed versions of temporal relationships are kept; ZERO keeps them all */
        Duration historyRetention,
        /* kafka.*: the capture and apply roles' settings */
        KafkaSettings kafka,
        /* sync.write-back: whether this graph writes elementIds back to the rows' cross-reference column (one graph of several does) */
        boolean writeBack) {

    /** Whether the running service verifies on a schedule ({@code verify.interval} not 0 or off). */
    public boolean scheduledVerify() {
        return !verifyInterval.isZero();
    }

    /** Whether the running service prunes the transaction log ({@code log.retention} not 0 or off). */
    public boolean logRetained() {
        return !logRetention.isZero();
    }

    /** Whether the running service compacts the history of temporal relationships ({@code history.retention} not 0 or off). */
    public boolean historyRetained() {
        return !historyRetention.isZero();
    }

    public boolean neo4jAuthentication() {
        return neo4jUser != null && !neo4jUser.isEmpty();
    }

    public boolean builtInMapping() {
        return mappingFile == null || mappingFile.isEmpty();
    }

    /** The mapping this configuration names: the built-in contract mapping, or the file's. */
    public io.nexussync.core.mapping.Mapping loadMapping() {
        return builtInMapping() ? io.nexussync.core.mapping.MappingLoader.builtIn()
                : io.nexussync.core.mapping.MappingLoader.load(java.nio.file.Path.of(mappingFile));
    }

    @Override
    public String toString() {
        return "SyncConfig[postgres=" + postgres + ", neo4j=" + neo4jUri + " as '" + neo4jUser + "', password=<redacted>, mapping="
                + (builtInMapping() ? "built-in" : mappingFile) + ", batch=" + batchSize + "/" + batchDelay.toMillis() + "ms, workers=" + applyWorkers + ", heartbeat="
                + heartbeat.toMillis() + "ms, admin=" + admin + ", reverse=" + reverse.mode().external() + ", write-back=" + (writeBack ? "on" : "off") + "]";
    }
}
