package io.nexussync.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.event.TransactionData;
import org.neo4j.graphdb.event.TransactionEventListenerAdapter;

/**
 * Outbox entries of concurrent transactions: each gets its own seq, the seqs have no holes, and seq order is commit order
 * (Neo4j's own transaction id, which it assigns when it appends a transaction to its log), so a reader that reads the
 * sequence first and then the entries up to it never misses one.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OutboxSequenceTest {
    private static final int WRITERS = 8;
    private static final int TRANSACTIONS_EACH = 25;

    private final PluginTestGraph graph = PluginTestGraph.shared();

    @BeforeEach
    void contentItems() {
        graph.reset();
        graph.asService("apply", "UNWIND range(1, " + WRITERS + ") AS i CREATE (:ContentItem {id: 'c' + i, title: 'start', neo4jVersion: 0})");
    }

    @Test
    void shouldNumberConcurrentTransactionsInTheOrderTheyCommit() throws Exception {
        Map<Long, Long> seqByTransactionId = new ConcurrentSkipListMap<>();
        SeqWatcher watcher = new SeqWatcher(seqByTransactionId);
        graph.dbms().registerTransactionEventListener("neo4j", watcher);
        List<String> gaps = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(WRITERS + 1);
        try {
            Future<?> reader = threads.submit(() -> {
                while (writing.get()) {
                    List<Long> seen = graph.read(OutboxSequenceTest::readUpToTheSequence);
                    if (!seen.equals(LongStream.rangeClosed(1, seen.size()).boxed().toList())) {
                        gaps.add(seen.toString());
                    }
                }
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 1; w <= WRITERS; w++) {
                String id = "c" + w;
                writers.add(threads.submit(() -> {
                    for (int i = 1; i <= TRANSACTIONS_EACH; i++) {
                        graph.write("MATCH (c:ContentItem {id: $id}) SET c.title = $title", Map.of("id", id, "title", "t" + i));
                    }
                }));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
            writing.set(false);
            reader.get();
        } finally {
            graph.dbms().unregisterTransactionEventListener("neo4j", watcher);
            threads.shutdownNow();
        }

        long total = (long) WRITERS * TRANSACTIONS_EACH;
        assertThat(graph.outboxSeqs()).isEqualTo(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(seqByTransactionId.values()).as("seq by commit order").containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(gaps).as("a reader that reads the sequence first finds every entry up to it").isEmpty();
        assertThat(graph.rows("MATCH (c:ContentItem) RETURN DISTINCT c.neo4jVersion AS v")).containsExactly(Map.of("v", (long) TRANSACTIONS_EACH));
    }

    /**
     * The outbox as a reader must read it. Neo4j reads committed data as a scan meets it, so one scan of the entries can
     * meet seq n+1, committed just now, after passing where seq n, committed a moment earlier, now is (seen here under
     * load: 96 and 97 missing among 1..102). The sequence node's {@code next} is committed with the entry of that seq, after
     * every lower one: a second statement reading the entries up to it finds them all.
     */
    private static List<Long> readUpToTheSequence(Transaction tx) {
        List<Long> seqs = new ArrayList<>();
        var sequence = tx.execute("MATCH (s:`_SyncOutboxSequence` {name: 'outbox'}) RETURN s.next AS next");
        long next = sequence.hasNext() ? (Long) sequence.next().get("next") : 0L;
        sequence.close();
        tx.execute("MATCH (o:`_SyncOutbox`) WHERE o.seq <= $next RETURN o.seq AS seq ORDER BY seq", Map.of("next", next))
                .forEachRemaining(row -> seqs.add((Long) row.get("seq")));
        return seqs;
    }

    /**
     * Called after the plugin's listener (registered later): sees the outbox entry the plugin created in the transaction,
     * and after the commit, the id Neo4j gave the transaction.
     */
    private static final class SeqWatcher extends TransactionEventListenerAdapter<Long> {
        private final Map<Long, Long> seqByTransactionId;

        SeqWatcher(Map<Long, Long> seqByTransactionId) {
            this.seqByTransactionId = seqByTransactionId;
        }

        @Override
        public Long beforeCommit(TransactionData data, Transaction transaction, GraphDatabaseService database) {
            for (Node node : data.createdNodes()) {
                if (node.hasLabel(Label.label("_SyncOutbox"))) {
                    return (Long) node.getProperty("seq");
                }
            }
            return null;
        }

        @Override
        public void afterCommit(TransactionData data, Long seq, GraphDatabaseService database) {
            if (seq != null) {
                seqByTransactionId.put(data.getTransactionId(), seq);
            }
        }
    }
}
