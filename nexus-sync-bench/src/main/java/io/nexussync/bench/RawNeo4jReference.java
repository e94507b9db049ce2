package io.nexussync.bench;

import io.nexussync.bench.FlatRows.FlatChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

/**
 * The yardsticks: the same row changes written straight to Neo4j with the plainest Cypher, in
 * in-order UNWIND batches, in grouped windows, and one transaction per change (the seed document's
 * trigger model). Each call times its writes only.
 */
final class RawNeo4jReference {
    private final Driver driver;

    /** How long a write took and in how many transactions. */
    record Timing(long nanos, int transactions) {}

    RawNeo4jReference(Driver driver) {
        this.driver = driver;
    }

    /**
     * Consecutive changes with the same statement (same kind, same label or type) share a batch of at
     * most {@code batchSize}, one transaction each, in stream order.
     */
    Timing writeBatched(List<FlatChange> changes, int batchSize) {
        try (Session session = driver.session()) {
            long start = System.nanoTime();
            int transactions = 0;
            int i = 0;
            while (i < changes.size()) {
                String cypher = changes.get(i).cypher();
                List<Map<String, Object>> rows = new ArrayList<>(batchSize);
                while (i < changes.size() && rows.size() < batchSize && changes.get(i).cypher().equals(cypher)) {
                    rows.add(changes.get(i++).row());
                }
                write(session, cypher, rows);
                transactions++;
            }
            return new Timing(System.nanoTime() - start, transactions);
        }
    }

    /**
     * A ceiling beside the in-order batches, which a mixed workload cuts to a change or two each:
     * windows of {@code windowSize} consecutive changes, one transaction per window with one UNWIND
     * per statement in first-seen order. It reorders within a window (a delete and re-create of one
     * entity may come out wrong), so it is a rate, not a loader.
     */
    Timing writeWindows(List<FlatChange> changes, int windowSize) {
        try (Session session = driver.session()) {
            long start = System.nanoTime();
            int transactions = 0;
            for (int from = 0; from < changes.size(); from += windowSize) {
                Map<String, List<Map<String, Object>>> byStatement = new LinkedHashMap<>();
                for (FlatChange change : changes.subList(from, Math.min(from + windowSize, changes.size()))) {
                    byStatement.computeIfAbsent(change.cypher(), k -> new ArrayList<>()).add(change.row());
                }
                session.executeWriteWithoutResult(tx -> byStatement.forEach((cypher, rows) -> tx.run(cypher, Map.of("rows", rows)).consume()));
                transactions++;
            }
            return new Timing(System.nanoTime() - start, transactions);
        }
    }

    /** One transaction, and so one MERGE or DELETE, per change. */
    Timing writePerRow(List<FlatChange> changes) {
        try (Session session = driver.session()) {
            long start = System.nanoTime();
            for (FlatChange change : changes) {
                write(session, change.cypher(), List.of(change.row()));
            }
            return new Timing(System.nanoTime() - start, changes.size());
        }
    }

    private static void write(Session session, String cypher, List<Map<String, Object>> rows) {
        session.executeWriteWithoutResult(tx -> tx.run(cypher, Map.of("rows", rows)).consume());
    }
}
