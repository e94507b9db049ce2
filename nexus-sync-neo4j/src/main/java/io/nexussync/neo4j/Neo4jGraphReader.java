package io.nexussync.neo4j;

import io.nexussync.core.plan.GraphStep.RelationshipKey;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.snapshot.GraphInventory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;

/**
 * Reads the graph: for the cross-reference catch-up, which of these ids have a node and its elementId;
 * for a snapshot over a graph that already has data, what the graph holds, page by page.
 */
public final class Neo4jGraphReader implements GraphInventory {
    private final Driver driver;
    private final SessionConfig session;

    public Neo4jGraphReader(Driver driver, String database) {
        this.driver = driver;
        this.session = database == null ? SessionConfig.defaultConfig() : SessionConfig.forDatabase(database);
    }

    /** elementId by id for the ids that have a node with {@code label}; absent ids are left out. */
    public Map<String, String> elementIds(String label, List<String> ids) {
        return elementIds(label, "id", ids);
    }

    /** elementId by identity for the identities that have a node with {@code label}, found by {@code idProperty}. */
    public Map<String, String> elementIds(String label, String idProperty, List<String> ids) {
        try (Session s = driver.session(session)) {
            return s.executeRead(tx -> {
                Map<String, String> found = new HashMap<>();
                tx.run("UNWIND $ids AS id MATCH (n:" + Cypher.name(label) + " {" + Cypher.name(idProperty) + ": id}) RETURN id, elementId(n) AS eid", Map.of("ids", ids))
                        .forEachRemaining(r -> found.put(r.get("id").asString(), r.get("eid").asString()));
                return found;
            }, Neo4jTransactions.config(Neo4jTransactions.CROSS_REFERENCE));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("reading element ids", e);
        }
    }

    @Override
    public boolean holdsAnyNode(List<String> labels) {
        return read(Neo4jTransactions.SNAPSHOT, "looking for mapped nodes", tx -> {
            for (String label : labels) {
                if (tx.run("MATCH (n:" + Cypher.name(label) + ") RETURN 1 LIMIT 1").hasNext()) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * {@code AND NOT v:Deleted} for a mapping that keeps tombstones, to follow a WHERE: a tombstone is history, not a row's
     * mirror, so no current-state read counts or compares it. Empty for a mapping without them (the contract's), whose
     * graph may have a {@code Deleted} label of its own.
     */
    static String notTombstone(NodeMapping node, String variable) {
        return node.tombstones() ? "AND NOT " + variable + ":" + Cypher.name(NodeMapping.TOMBSTONE_LABEL) + " " : "";
    }

    @Override
    public List<String> nodeIds(NodeMapping node, String afterId, int limit) {
        String id = "n." + Cypher.name(node.idProperty());
        return read(Neo4jTransactions.SNAPSHOT, "listing " + node.label() + " nodes", tx -> tx.run("MATCH (n:" + Cypher.name(node.label()) + ") "
                        + "WHERE ($after IS NULL OR " + id + " > $after) " + notTombstone(node, "n") + "RETURN " + id + " AS id ORDER BY " + id + " LIMIT $limit",
                parameters("after", afterId, "limit", limit)).list(r -> r.get("id").asString()));
    }

    @Override
    public RelationshipPage currentRelationships(RelationshipMapping m, String afterFromId, int startNodes) {
        String current = m.temporal() ? " WHERE r.validTo = " + StatementRenderer.OPEN_END : "";
        return read(Neo4jTransactions.SNAPSHOT, "listing " + m.type() + " relationships", tx -> {
            List<RelationshipKey> pairs = new ArrayList<>();
            String last = null;
            String fromId = "a." + Cypher.name(m.from().idProperty());
            var result = tx.run("MATCH (a:" + Cypher.name(m.from().label()) + ") WHERE $after IS NULL OR " + fromId + " > $after "
                    + "WITH a ORDER BY " + fromId + " LIMIT $limit "
                    + "OPTIONAL MATCH (a)-[r:" + Cypher.name(m.type()) + "]->(b:" + Cypher.name(m.to().label()) + ")" + current + " "
                    + "RETURN " + fromId + " AS from, collect(b." + Cypher.name(m.to().idProperty()) + ") AS tos ORDER BY from",
                    parameters("after", afterFromId, "limit", startNodes));
            while (result.hasNext()) {
                var r = result.next();
                last = r.get("from").asString();
                for (Object to : r.get("tos").asList()) {
                    pairs.add(new RelationshipKey(last, (String) to));
                }
            }
            return new RelationshipPage(pairs, last);
        });
    }

    @Override
    public long countNodes(NodeMapping node) {
        String where = node.tombstones() ? "WHERE true " + notTombstone(node, "n") : "";
        return read(Neo4jTransactions.SNAPSHOT, "counting " + node.label() + " nodes", tx -> tx.run("MATCH (n:" + Cypher.name(node.label()) + ") " + where
                + "RETURN count(n) AS n").single().get("n").asLong());
    }

    @Override
    public long countCurrentRelationships(RelationshipMapping m) {
        String current = m.temporal() ? " WHERE r.validTo = " + StatementRenderer.OPEN_END : "";
        return read(Neo4jTransactions.SNAPSHOT, "counting " + m.type() + " relationships", tx -> tx.run("MATCH (:" + Cypher.name(m.from().label()) + ")-[r:"
                + Cypher.name(m.type()) + "]->(:" + Cypher.name(m.to().label()) + ")" + current + " RETURN count(r) AS n").single().get("n").asLong());
    }

    <T> T read(String purpose, String what, org.neo4j.driver.TransactionCallback<T> work) {
        try (Session s = driver.session(session)) {
            return s.executeRead(work, Neo4jTransactions.config(purpose));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate(what, e);
        }
    }

    private static Map<String, Object> parameters(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> p = new HashMap<>();
        p.put(k1, v1);
        p.put(k2, v2);
        return p;
    }
}
