package io.nexussync.plugin;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.kernel.impl.coreapi.InternalTransaction;

/**
 * A transaction kept open on a thread of its own, so that a test can interleave two of them statement by statement and
 * commit them in the order it chooses: each step returns at once with its future, and {@link #awaitBlockedOrDone} tells
 * a step that waits for a lock (Neo4j's own transaction listing says so) from one that is still running.
 */
final class OpenTransaction implements AutoCloseable {
    static final String NAME_KEY = "open-transaction";
    private static final int CLOSING_POLLS_WHEN_WAITING = 20;

    private final GraphDatabaseService db;
    private final String name;
    private final ExecutorService thread;
    private final Transaction tx;

    /** @param servicePurpose the service's metadata purpose (the plugin skips such a transaction), or null for a graph user */
    OpenTransaction(GraphDatabaseService db, String name, String servicePurpose) throws Exception {
        this.db = db;
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> new Thread(r, name));
        Map<String, Object> metadata = new HashMap<>();
        metadata.put(NAME_KEY, name);
        if (servicePurpose != null) {
            metadata.put(ReverseSyncListener.METADATA_KEY, servicePurpose);
        }
        this.tx = thread.submit(() -> {
            Transaction begun = db.beginTx();
            ((InternalTransaction) begun).setMetaData(metadata);
            return begun;
        }).get(30, TimeUnit.SECONDS);
    }

    Future<Void> run(String cypher, Map<String, Object> parameters) {
        return thread.submit(() -> {
            tx.execute(cypher, parameters).close();
            return null;
        });
    }

    Future<Void> commit() {
        return thread.submit(() -> {
            tx.commit();
            return null;
        });
    }

    /**
     * Waits until the step has finished or this transaction waits for a lock another one holds; returns whether it
     * finished. A step that does neither within the time is a test failure.
     */
    boolean awaitBlockedOrDone(Future<?> step, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        int closingPolls = 0;
        while (System.nanoTime() < deadline) {
            if (step.isDone()) {
                return true;
            }
            String status = status();
            if (status.startsWith("Blocked")) {
                return false;
            }
            // A commit takes most of its locks as it writes its commands, after the listeners ran, and waits for one as "Closing".
            closingPolls = status.equals("Closing") ? closingPolls + 1 : 0;
            if (closingPolls >= CLOSING_POLLS_WHEN_WAITING) {
                return false;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(name + " neither finished nor waited for a lock within " + atMost + ": " + statuses());
    }

    private String status() {
        try (Transaction look = db.beginTx()) {
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            look.execute("SHOW TRANSACTIONS YIELD metaData, status WHERE metaData[$key] = $name RETURN status", Map.of("key", NAME_KEY, "name", name))
                    .forEachRemaining(rows::add);
            return rows.isEmpty() ? "" : String.valueOf(rows.get(0).get("status"));
        }
    }

    private List<Map<String, Object>> statuses() {
        try (Transaction look = db.beginTx()) {
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            look.execute("SHOW TRANSACTIONS YIELD metaData, status, currentQuery RETURN metaData, status, currentQuery").forEachRemaining(rows::add);
            return rows;
        }
    }

    @Override
    public void close() {
        thread.submit(tx::close);
        thread.shutdown();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
