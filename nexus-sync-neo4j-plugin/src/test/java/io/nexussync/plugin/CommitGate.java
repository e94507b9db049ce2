package io.nexussync.plugin;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.event.TransactionData;
import org.neo4j.graphdb.event.TransactionEventListenerAdapter;

/**
 * Holds one named {@link OpenTransaction}'s commit after the plugin's {@code beforeCommit} ran (listeners run in the order
 * they were registered, the plugin's first) and before Neo4j writes it: the moment between the plugin's look at the graph
 * and the commit, where a race lives. Registered for one test, then removed.
 */
final class CommitGate extends TransactionEventListenerAdapter<Object> implements AutoCloseable {
    private final PluginTestGraph graph;
    private final String name;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch open = new CountDownLatch(1);

    CommitGate(PluginTestGraph graph, String name) {
        this.graph = graph;
        this.name = name;
        graph.dbms().registerTransactionEventListener("neo4j", this);
    }

    @Override
    public Object beforeCommit(TransactionData data, Transaction transaction, GraphDatabaseService database) throws Exception {
        if (name.equals(data.metaData().get(OpenTransaction.NAME_KEY))) {
            reached.countDown();
            if (!open.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the gate of " + name + " was never opened");
            }
        }
        return null;
    }

    void awaitReached() throws InterruptedException {
        if (!reached.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " never reached its commit");
        }
    }

    void open() {
        open.countDown();
    }

    @Override
    public void close() {
        open();
        graph.dbms().unregisterTransactionEventListener("neo4j", this);
    }
}
