package io.nexussync.neo4j;

import static io.nexussync.neo4j.Cypher.name;

import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.verify.EntityKeys;
import io.nexussync.core.verify.VerifyGraph;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.neo4j.driver.AccessMode;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Result;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.Value;

/**
 * The graph's side of verify. A scan is one read transaction held open while the caller iterates: the driver pulls
 * {@link #FETCH_SIZE} records at a time, so memory does not grow with the label. Order comes from the identity's
 * uniqueness constraint (its range index), never from a sort: {@code n.id >= ''} is a range seek over every string
 * identity, which the planner serves in index order. The same predicate says what an identity is: a node whose
 * identity property is missing or not a string can never be named by a row, so it counts as unidentified.
 * <p>
 * A relationship scan drives from the start nodes in index order and gathers each one's relationships in a subquery: the
 * only sort is a partial one, by end node within one start node, so its memory is bounded by a node's degree.
 */
public final class Neo4jVerifyGraph implements VerifyGraph {
    /** Records per pull: big enough that round trips do not dominate, small enough to bound memory. */
    static final int FETCH_SIZE = 2000;

    private final Driver driver;
    private final SessionConfig streaming;
    private final Neo4jGraphReader reader;

    public Neo4jVerifyGraph(Driver driver, String database) {
        this.driver = driver;
        SessionConfig.Builder config = SessionConfig.builder().withDefaultAccessMode(AccessMode.READ).withFetchSize(FETCH_SIZE);
        this.streaming = (database == null ? config : config.withDatabase(database)).build();
        this.reader = new Neo4jGraphReader(driver, database);
    }

    @Override
    public GraphScan<GraphNode> scanNodes(NodeMapping mapping) {
        String id = "n." + name(mapping.idProperty());
        return scan("scanning " + mapping.label() + " nodes",
                "MATCH (n:" + name(mapping.label()) + ") WHERE " + id + " >= '' " + Neo4jGraphReader.notTombstone(mapping, "n") + nodeProjection(mapping) + " ORDER BY " + id,
                Map.of(), record -> node(record, mapping));
    }

    @Override
    public List<GraphNode> nodes(NodeMapping mapping, Collection<String> ids) {
        String id = "n." + name(mapping.idProperty());
        return reader.read(Neo4jTransactions.VERIFY, "reading " + mapping.label() + " nodes", tx -> tx.run("UNWIND $ids AS key MATCH (n:" + name(mapping.label())
                        + ") WHERE " + id + " = key " + Neo4jGraphReader.notTombstone(mapping, "n") + nodeProjection(mapping) + " ORDER BY " + id,
                Map.of("ids", List.copyOf(new LinkedHashSet<>(ids)))).list(record -> node(record, mapping)));
    }

    @Override
    public List<UnidentifiedNode> unidentified(NodeMapping mapping, int limit) {
        return reader.read(Neo4jTransactions.VERIFY, "looking for " + mapping.label() + " nodes without identity", tx -> tx.run("MATCH (n:" + name(mapping.label())
                        + ") WHERE NOT coalesce(n." + name(mapping.idProperty()) + " >= '', false) RETURN elementId(n) AS elementId, keys(n) AS names LIMIT $limit",
                Map.of("limit", limit)).list(r -> new UnidentifiedNode(r.get("elementId").asString(),
                Set.copyOf(r.get("names").asList(Value::asString)))));
    }

    @Override
    public GraphScan<GraphPair> scanRelationships(RelationshipMapping mapping) {
        String fromId = "a." + name(mapping.from().idProperty());
        return scan("scanning " + mapping.type() + " relationships",
                "MATCH (a:" + name(mapping.from().label()) + ") WHERE " + fromId + " >= '' "
                        + "CALL { WITH a " + pairMatch(mapping) + " "
                        + "WITH b." + name(mapping.to().idProperty()) + " AS toId, collect(properties(r)) AS relationships "
                        + "RETURN toId, relationships } "
                        + "RETURN " + fromId + " AS fromId, toId, relationships ORDER BY fromId, toId",
                Map.of(), Neo4jVerifyGraph::pair);
    }

    @Override
    public List<GraphPair> pairs(RelationshipMapping mapping, Collection<String> pairKeys) {
        List<List<String>> ends = new LinkedHashSet<>(pairKeys).stream().map(EntityKeys::split).toList();
        String fromId = "a." + name(mapping.from().idProperty());
        String toId = "b." + name(mapping.to().idProperty());
        return reader.read(Neo4jTransactions.VERIFY, "reading " + mapping.type() + " relationships", tx -> tx.run("UNWIND $pairs AS pair "
                        + "MATCH (a:" + name(mapping.from().label()) + ")-[r:" + name(mapping.type()) + "]->(b:" + name(mapping.to().label()) + ") "
                        + "WHERE " + fromId + " = pair[0] AND " + toId + " = pair[1] "
                        + "WITH pair, collect(properties(r)) AS relationships "
                        + "RETURN pair[0] AS fromId, pair[1] AS toId, relationships ORDER BY fromId, toId",
                Map.of("pairs", ends)).list(Neo4jVerifyGraph::pair));
    }

    @Override
    public long countNodes(NodeMapping mapping) {
        return reader.countNodes(mapping);
    }

    @Override
    public long countRelationships(RelationshipMapping mapping) {
        return reader.read(Neo4jTransactions.VERIFY, "counting " + mapping.type() + " relationships", tx -> tx.run("MATCH (:" + name(mapping.from().label()) + ")-[r:"
                + name(mapping.type()) + "]->(:" + name(mapping.to().label()) + ") RETURN count(r) AS n").single().get("n").asLong());
    }

    @Override
    public boolean repairCommitted(String repairId) {
        return reader.read(Neo4jTransactions.VERIFY, "looking for repair " + repairId, tx -> tx.run("MATCH (r:`_SyncRepair` {id: $id}) RETURN count(r) > 0 AS committed",
                Map.of("id", repairId)).single().get("committed").asBoolean());
    }

    /** The relationships of the type from {@code a} to an identified node of the to label. */
    private static String pairMatch(RelationshipMapping mapping) {
        return "MATCH (a)-[r:" + name(mapping.type()) + "]->(b:" + name(mapping.to().label()) + ") WHERE b." + name(mapping.to().idProperty()) + " >= ''";
    }

    /** A pattern comprehension per parent link: one entry per relationship, so a duplicated link shows twice. */
    private static String nodeProjection(NodeMapping mapping) {
        StringBuilder projection = new StringBuilder("RETURN n." + name(mapping.idProperty()) + " AS id, elementId(n) AS elementId, properties(n) AS properties");
        for (int i = 0; i < mapping.parentLinks().size(); i++) {
            ParentLink link = mapping.parentLinks().get(i);
            String arrow = link.parentToChild()
                    ? "(n)<-[:" + name(link.type()) + "]-(p:" + name(link.parentLabel()) + ")"
                    : "(n)-[:" + name(link.type()) + "]->(p:" + name(link.parentLabel()) + ")";
            projection.append(", [").append(arrow).append(" | p.").append(name(link.parentIdProperty())).append("] AS parents").append(i);
        }
        return projection.toString();
    }

    private static GraphNode node(Record record, NodeMapping mapping) {
        List<List<String>> parents = new ArrayList<>(mapping.parentLinks().size());
        for (int i = 0; i < mapping.parentLinks().size(); i++) {
            // A parent whose identity is not a string has none a row could name: the same rule as the scan's.
            parents.add(record.get("parents" + i).asList(v -> v.asObject() instanceof String s ? s : null));
        }
        return new GraphNode(record.get("id").asString(), record.get("elementId").asString(),
                record.get("properties").asMap(Neo4jVerifyGraph::plain), parents);
    }

    private static GraphPair pair(Record record) {
        return new GraphPair(record.get("fromId").asString(), record.get("toId").asString(),
                record.get("relationships").asList(v -> v.asMap(Neo4jVerifyGraph::plain)));
    }

    /** The driver's Java form of a property value, with the kinds verify does not know (durations, points) as their text. */
    static Object plain(Value value) {
        return plainObject(value.asObject());
    }

    private static Object plainObject(Object value) {
        if (value instanceof List<?> list) {
            List<Object> plain = new ArrayList<>(list.size());
            for (Object element : list) {
                plain.add(plainObject(element));
            }
            return plain;
        }
        if (value == null || value instanceof String || value instanceof Long || value instanceof Double || value instanceof Boolean
                || value instanceof java.time.temporal.Temporal || value instanceof byte[]) {
            return value;
        }
        return value.toString();
    }

    private <T> GraphScan<T> scan(String what, String query, Map<String, Object> parameters, Function<Record, T> convert) {
        Session session = driver.session(streaming);
        try {
            Transaction tx = session.beginTransaction(Neo4jTransactions.config(Neo4jTransactions.VERIFY));
            try {
                return new StreamedScan<>(what, session, tx, tx.run(query, parameters), convert);
            } catch (RuntimeException e) {
                tx.close();
                throw e;
            }
        } catch (RuntimeException e) {
            session.close();
            throw Neo4jErrors.translate(what, e);
        }
    }

    /** Records as the caller asks for them; the transaction and session end at {@link #close()} or when the records do. */
    private static final class StreamedScan<T> implements GraphScan<T> {
        private final String what;
        private final Session session;
        private final Transaction tx;
        private final Result result;
        private final Function<Record, T> convert;
        private boolean closed;

        StreamedScan(String what, Session session, Transaction tx, Result result, Function<Record, T> convert) {
            this.what = what;
            this.session = session;
            this.tx = tx;
            this.result = result;
            this.convert = convert;
        }

        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            try {
                if (result.hasNext()) {
                    return true;
                }
            } catch (RuntimeException e) {
                close();
                throw Neo4jErrors.translate(what, e);
            }
            close();
            return false;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            try {
                return convert.apply(result.next());
            } catch (RuntimeException e) {
                close();
                throw Neo4jErrors.translate(what, e);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                tx.close();
            } catch (RuntimeException ignored) {
                // A read transaction has nothing to keep: closing the session below releases it whatever happened here.
            } finally {
                session.close();
            }
        }
    }
}
