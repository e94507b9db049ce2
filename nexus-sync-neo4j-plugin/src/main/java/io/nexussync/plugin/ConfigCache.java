package io.nexussync.plugin;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.event.LabelEntry;
import org.neo4j.graphdb.event.TransactionData;

/**
 * The published rules of one database, read again after a transaction that created or deleted a rule node (the
 * service replaces them all in one transaction) and at most every {@link #MAX_AGE_NANOS} otherwise, which also
 * catches a rule edited in place. Safe for the concurrent transactions of one database: a load that began before an
 * invalidation is not kept.
 */
final class ConfigCache {
    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private record Loaded(ReverseConfig config, long at) {}

    private final AtomicLong generation = new AtomicLong();
    private volatile Loaded loaded;

    ReverseConfig current(Transaction tx) {
        Loaded now = loaded;
        long time = System.nanoTime();
        if (now != null && time - now.at() < MAX_AGE_NANOS) {
            return now.config();
        }
        long seen = generation.get();
        Loaded fresh = new Loaded(ReverseConfig.read(tx), time);
        if (generation.get() == seen) {
            loaded = fresh;
        }
        return fresh.config();
    }

    void invalidate() {
        generation.incrementAndGet();
        loaded = null;
    }

    /** Whether the transaction created or deleted a rule node (label entries only: cheap for a large batch). */
    static boolean touchesRules(TransactionData data) {
        return touches(data.assignedLabels()) || touches(data.removedLabels());
    }

    private static boolean touches(Iterable<LabelEntry> entries) {
        for (LabelEntry entry : entries) {
            Label label = entry.label();
            if (label.name().equals(ReverseConfig.NODE_RULE.name()) || label.name().equals(ReverseConfig.RELATIONSHIP_RULE.name())) {
                return true;
            }
        }
        return false;
    }
}
