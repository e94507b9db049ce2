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
 * Outbox entries of concurrent transactions: each gets its own seq, and seq order is commit order, so a reader that has
 * seen seq n never finds an entry below n later. Commit order is Neo4j's own transaction id, which it assigns when it
 * appends a transaction to its log.
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
                    List<Long> seen = graph.outboxSeqs();
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
        assertThat(gaps).as("a reader never sees a seq before every lower one").isEmpty();
        assertThat(graph.rows("MATCH (c:ContentItem) RETURN DISTINCT c.neo4jVersion AS v")).containsExactly(Map.of("v", (long) TRANSACTIONS_EACH));
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
