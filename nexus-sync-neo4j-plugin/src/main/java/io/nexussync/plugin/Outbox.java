package io.nexussync.plugin;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;

/**
 * Appends a transaction's edits to the outbox, in that transaction: {@code (:_SyncOutbox {seq, committedAt, edits})}.
 * The seq comes from {@code (:_SyncOutboxSequence {name: 'outbox'}).next}, read under the node's write lock, which the
 * transaction holds until it commits: the next transaction reads its seq only after this one committed, so seq order
 * is commit order, and a transaction that rolls back takes its increment with it, so the seqs have no holes.
 * <p>
 * How to read it: Neo4j reads committed data as a scan meets it, so one scan of the entries may meet seq n+1 without
 * seq n (committed a moment earlier, behind the scan). Read {@code next} first, then, in a second statement, the entries
 * up to it: all of them are committed by then.
 */
final class Outbox {
    static final Label ENTRY = Label.label("_SyncOutbox");
    static final Label SEQUENCE = Label.label("_SyncOutboxSequence");
    static final String SEQUENCE_NAME = "outbox";

    private Outbox() {}

    static long append(Transaction tx, List<Map<String, Object>> edits) {
        Node sequence = sequence(tx);
        tx.acquireWriteLock(sequence);
        long seq = ((Number) sequence.getProperty("next", 0L)).longValue() + 1;
        sequence.setProperty("next", seq);
        Node entry = tx.createNode(ENTRY);
        entry.setProperty("seq", seq);
        entry.setProperty("committedAt", ZonedDateTime.now(ZoneOffset.UTC));
        entry.setProperty("edits", Json.write(edits));
        return seq;
    }

    /**
     * Found by its name; created once, by MERGE, which under the service's uniqueness constraint on the name lets two
     * first writers agree on one node instead of failing one of them.
     */
    private static Node sequence(Transaction tx) {
        Node sequence = tx.findNode(SEQUENCE, "name", SEQUENCE_NAME);
        if (sequence != null) {
            return sequence;
        }
        try (var result = tx.execute("MERGE (s:`_SyncOutboxSequence` {name: $name}) RETURN s", Map.of("name", SEQUENCE_NAME))) {
            return (Node) result.next().get("s");
        }
    }
}
