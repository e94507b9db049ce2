package io.nexussync.plugin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.neo4j.graphdb.Direction;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Relationship;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.Transaction;

/**
 * One relationship per pair for a join table: a committing transaction that created a relationship of a mapped type may
 * not leave its pair with a second one (for a temporal type: a second current version), since PostgreSQL has one row per
 * pair. A check-then-CREATE ({@code WHERE NOT (c)-[:TAGGED_WITH]->(t) CREATE ...}) does not see a concurrent
 * transaction's uncommitted relationship, and its CREATE waits for that transaction's locks but does not look again.
 * <p>
 * The protocol: the pair's start node is write-locked here, in {@code beforeCommit}, and held until this transaction
 * ends; then the pair's relationships are counted, which reads what any transaction that held the lock before committed.
 * The sync stream takes part without this class: its MERGE of a relationship between two nodes locks both and looks
 * again before it creates (a transaction holding the start node's lock is waited for, and its relationship is then
 * found and kept), and its new temporal versions lock the start node before reading the pair's history. So whichever
 * commits second sees the first: the stream adopts a relationship committed before it, and a graph user's transaction
 * that would make a second one is refused. The stream is never the one refused: a refused batch would stop it.
 * <p>
 * Cost: one lock per distinct start node, taken in element id order (so two transactions locking several do not wait
 * for each other in a cycle over these locks; a CREATE's own share of the node can still make Neo4j report a deadlock,
 * a transient error, between two graph users creating one pair), and one walk of the pair's relationships from the side
 * with fewer of them. The stream's own transactions are not looked at (the listener skips them).
 */
final class PairGuard {
    /** A pair a transaction created a relationship of the rule's type between. */
    record Pair(Node from, Node to, RelationshipRule rule) {}

    private PairGuard() {}

    /** @throws Refusal when a pair ends with more than one relationship (temporal: current version) of its type */
    static void check(Transaction tx, List<Pair> created) {
        if (created.isEmpty()) {
            return;
        }
        Map<String, Pair> distinct = new LinkedHashMap<>();
        Map<String, Node> startNodes = new TreeMap<>(Comparator.naturalOrder());
        for (Pair pair : created) {
            distinct.putIfAbsent(pair.from().getElementId() + " " + pair.rule().type() + " " + pair.to().getElementId(), pair);
            startNodes.putIfAbsent(pair.from().getElementId(), pair.from());
        }
        for (Node start : startNodes.values()) {
            tx.acquireWriteLock(start);
        }
        for (Pair pair : distinct.values()) {
            int found = count(pair);
            if (found > 1) {
                throw Refusal.secondRelationship(pair.rule(), id(pair.from(), pair.rule().fromIdProperty()), id(pair.to(), pair.rule().toIdProperty()), found);
            }
        }
    }

    /** The pair's relationships of its type, as this transaction leaves them (temporal: the current versions only). */
    private static int count(Pair pair) {
        RelationshipType type = RelationshipType.withName(pair.rule().type());
        boolean fromStart = pair.from().getDegree(type, Direction.OUTGOING) <= pair.to().getDegree(type, Direction.INCOMING);
        Node walked = fromStart ? pair.from() : pair.to();
        Node other = fromStart ? pair.to() : pair.from();
        List<Relationship> between = new ArrayList<>();
        try (var relationships = walked.getRelationships(fromStart ? Direction.OUTGOING : Direction.INCOMING, type)) {
            relationships.forEach(r -> {
                if (r.getOtherNode(walked).equals(other)) {
                    between.add(r);
                }
            });
        }
        if (!pair.rule().temporal()) {
            return between.size();
        }
        return (int) between.stream().filter(r -> TemporalVersion.of(r.getProperty("validTo", null)) == TemporalVersion.CURRENT).count();
    }

    private static Object id(Node node, String idProperty) {
        Object id = node.getProperty(idProperty, null);
        return id != null ? id : "(element id " + node.getElementId() + ")";
    }
}
