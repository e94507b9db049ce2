package io.nexussync.neo4j;

import static io.nexussync.neo4j.Cypher.name;

import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.GraphOutbox;
import io.nexussync.core.reverse.OutboxCodec;
import io.nexussync.core.reverse.PolledGraph;
import io.nexussync.core.reverse.ReverseCatalog;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.TransactionCallback;
import org.neo4j.driver.TransactionConfig;
import org.neo4j.driver.Value;

/**
 * The graph's side of reverse sync: the plugin's outbox ({@code (:_SyncOutbox {seq, committedAt, edits})}, read in seq
 * order, which is commit order), the few writes the reverse applier makes itself (keys of nodes created in the graph,
 * removals PostgreSQL decided), the configuration the plugin reads ({@code _SyncReverseNode}, {@code _SyncReverseRelationship})
 * and the probe that tells whether the plugin is installed. For the polling fallback, the nodes whose graph version says a
 * graph writer edited them.
 *
 * <p>Every transaction carries the service's metadata ({@link Neo4jTransactions#REVERSE}), so the plugin takes none of these
 * writes for a graph edit: a key assigned or a node removed here never comes back as an outbox entry. The probe's carries
 * {@link Neo4jTransactions#PLUGIN_PROBE}, the one purpose the plugin answers.
 */
public final class Neo4jGraphOutbox implements GraphOutbox, PolledGraph {
    private static final TransactionConfig REVERSE = Neo4jTransactions.config(Neo4jTransactions.REVERSE);
    private static final TransactionConfig PROBE = Neo4jTransactions.config(Neo4jTransactions.PLUGIN_PROBE);

    /** The last seq the plugin gave out: every entry up to it is committed once this reads it. */
    private static final String LAST_SEQ = "MATCH (s:`_SyncOutboxSequence` {name: 'outbox'}) RETURN s.next AS last";
    /** The seq range lets the planner walk the seq constraint's index in order rather than sort every waiting entry. */
    private static final String NEXT = "MATCH (o:`_SyncOutbox`) WHERE o.seq >= 0 AND o.seq <= $last "
            + "RETURN o.seq AS seq, o.committedAt AS committedAt, o.edits AS edits ORDER BY o.seq LIMIT $limit";
    private static final String REMOVE_THROUGH = "MATCH (o:`_SyncOutbox`) WHERE o.seq <= $seq DELETE o";
    private static final String COUNT = "MATCH (o:`_SyncOutbox`) RETURN count(o) AS n";
    private static final String OLDEST = "MATCH (o:`_SyncOutbox`) WHERE o.seq >= 0 RETURN o.committedAt AS committedAt ORDER BY o.seq LIMIT 1";
    private static final String WITHDRAW = "MATCH (c) WHERE c:`_SyncReverseNode` OR c:`_SyncReverseRelationship` DELETE c";
    private static final String PUBLISH_NODES = "UNWIND $nodes AS c CREATE (n:`_SyncReverseNode`) SET n = c";
    private static final String PUBLISH_RELATIONSHIPS = "UNWIND $relationships AS c CREATE (r:`_SyncReverseRelationship`) SET r = c";
    /** The old answer goes in the same transaction, so only a plugin running now can give a new one. */
    private static final String PROBE_WRITE = "MERGE (p:`_SyncReverseProbe` {id: 'probe'}) REMOVE p.pluginVersion SET p.probedAt = datetime()";
    private static final String PROBE_READ = "MATCH (p:`_SyncReverseProbe` {id: 'probe'}) RETURN p.pluginVersion AS version";

    private final Driver driver;
    private final SessionConfig session;

    public Neo4jGraphOutbox(Driver driver, String database) {
        this.driver = driver;
        this.session = database == null ? SessionConfig.defaultConfig() : SessionConfig.forDatabase(database);
    }

    /**
     * The oldest entries, in seq order, with no seq missing below the last one returned. Neo4j reads committed data as a
     * scan meets it, so a scan alone may meet seq n+1 and not seq n, committed a moment before behind it; the applier would
     * then record n+1 as applied and skip n for good. So the sequence is read first, and then, in a statement of its own,
     * the entries up to it: each of them committed before the sequence showed its seq.
     */
    @Override
    public List<GraphEdit> next(int limit) {
        List<Map<String, Object>> rows = read("reading the graph's outbox", tx -> {
            var last = tx.run(LAST_SEQ).list();
            if (last.isEmpty() || last.get(0).get("last").isNull()) {
                return List.of();
            }
            return tx.run(NEXT, Map.of("last", last.get(0).get("last").asLong(), "limit", limit)).list(r -> {
                Map<String, Object> row = new HashMap<>();
                row.put("seq", r.get("seq").asLong());
                row.put("committedAt", instant(r.get("committedAt")));
                // No edits at all reads as an entry that cannot be read, with its seq (not as an empty one that would be dropped).
                row.put("edits", r.get("edits").isNull() ? "" : r.get("edits").asString());
                return row;
            });
        });
        List<GraphEdit> entries = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            // Decoded outside the transaction: an entry that cannot be read stops reverse sync with its seq, it is never skipped.
            entries.add(OutboxCodec.read((Long) row.get("seq"), (Instant) row.get("committedAt"), (String) row.get("edits")));
        }
        return entries;
    }

    @Override
    public void removeThrough(long seq) {
        write("removing applied outbox entries through " + seq, tx -> tx.run(REMOVE_THROUGH, Map.of("seq", seq)).consume());
    }

    @Override
    public Backlog backlog() {
        return read("reading the outbox's backlog", tx -> {
            long entries = tx.run(COUNT).single().get("n").asLong();
            if (entries == 0) {
                return new Backlog(0, null);
            }
            var oldest = tx.run(OLDEST).list();
            return new Backlog(entries, oldest.isEmpty() ? null : instant(oldest.get(0).get("committedAt")));
        });
    }

    @Override
    public String assignKey(String label, String idProperty, String elementId, String key) {
        String id = "n." + name(idProperty);
        String pgId = "n." + name(NodeMapping.PG_ID_PROPERTY);
        return write("giving a " + label + " node created in the graph its key", tx -> {
            var found = tx.run("MATCH (n:" + name(label) + ") WHERE elementId(n) = $elementId "
                    + "FOREACH (_ IN CASE WHEN " + id + " IS NULL THEN [1] ELSE [] END | SET " + id + " = $key, " + pgId + " = $key) "
                    + "RETURN " + id + " AS key", Map.of("elementId", elementId, "key", key)).list();
            return found.isEmpty() ? null : identity(found.get(0).get("key"));
        });
    }

    @Override
    public String keyOf(String label, String idProperty, String elementId) {
        return read("reading the key of a " + label + " node", tx -> {
            var found = tx.run("MATCH (n:" + name(label) + ") WHERE elementId(n) = $elementId RETURN n." + name(idProperty) + " AS key",
                    Map.of("elementId", elementId)).list();
            return found.isEmpty() ? null : identity(found.get(0).get("key"));
        });
    }

    @Override
    public void removeNode(String label, String elementId) {
        write("removing a " + label + " node PostgreSQL refused", tx -> tx.run("MATCH (n:" + name(label) + ") WHERE elementId(n) = $elementId DETACH DELETE n",
                Map.of("elementId", elementId)).consume());
    }

    @Override
    public void removeRelationship(ReverseCatalog.RelationshipRules rules, String fromId, String toId) {
        RelationshipMapping m = rules.mapping();
        write("removing a " + m.type() + " relationship PostgreSQL refused", tx -> tx.run("MATCH (a:" + name(m.from().label()) + " {"
                        + name(m.from().idProperty()) + ": $from})-[r:" + name(m.type()) + "]->(b:" + name(m.to().label()) + " {"
                        + name(m.to().idProperty()) + ": $to}) DELETE r",
                Map.of("from", fromId, "to", toId)).consume());
    }

    @Override
    public void publish(ReverseCatalog catalog) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (ReverseCatalog.NodeRules rules : catalog.nodes()) {
            nodes.add(nodeConfig(rules));
        }
        List<Map<String, Object>> relationships = new ArrayList<>();
        for (ReverseCatalog.RelationshipRules rules : catalog.relationships()) {
            relationships.add(relationshipConfig(rules));
        }
        write("publishing what flows back to the plugin", tx -> {
            tx.run(WITHDRAW).consume();
            tx.run(PUBLISH_NODES, Map.of("nodes", nodes)).consume();
            tx.run(PUBLISH_RELATIONSHIPS, Map.of("relationships", relationships)).consume();
            return null;
        });
    }

    /**
     * Removes the plugin's configuration: with none, the plugin does nothing (no outbox entries, no refused deletes, no
     * version bumps). For a service that does not read the outbox (reverse sync polled or off), which would otherwise let
     * it grow for ever.
     */
    public void withdraw() {
        write("withdrawing the plugin's configuration", tx -> tx.run(WITHDRAW).consume());
    }

    @Override
    public boolean pluginInstalled() {
        return pluginVersion().isPresent();
    }

    /** The probe of the plugin: the version it wrote on the probe node in the probe's own transaction, or empty without a plugin. */
    public Optional<String> pluginVersion() {
        try (Session s = driver.session(session)) {
            s.executeWrite(tx -> tx.run(PROBE_WRITE).consume(), PROBE);
            Value version = s.executeRead(tx -> tx.run(PROBE_READ).single().get("version"), REVERSE);
            return version.isNull() ? Optional.empty() : Optional.of(version.asString());
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("probing for the nexus-sync plugin", e);
        }
    }

    @Override
    public List<NodeState> nodesWithGraphVersion(ReverseCatalog.NodeRules rules, String afterId, int limit) {
        String graphVersion = rules.graphVersionProperty();
        if (graphVersion == null) {
            return List.of();
        }
        String id = "n." + name(rules.idProperty());
        String version = rules.versionProperty() == null ? "null" : "n." + name(rules.versionProperty());
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("after", afterId);
        parameters.put("limit", limit);
        // The graph version's range index finds the few nodes a graph writer marked; only they are sorted by identity.
        return read("looking for " + rules.label() + " nodes edited in the graph", tx -> tx.run("MATCH (n:" + name(rules.label()) + ") "
                        + "WHERE n." + name(graphVersion) + " > 0 AND " + id + " >= '' AND ($after IS NULL OR " + id + " > $after) "
                        + "RETURN " + id + " AS id, elementId(n) AS elementId, " + version + " AS pgVersion, n." + name(graphVersion)
                        + " AS graphVersion, properties(n) AS properties ORDER BY " + id + " LIMIT $limit", parameters)
                .list(r -> {
                    Map<String, Object> all = r.get("properties").asMap(Neo4jGraphOutbox::outboxForm);
                    Map<String, Object> flowing = new LinkedHashMap<>();
                    for (String property : rules.properties()) {
                        flowing.put(property, all.get(property));
                    }
                    Value pgVersion = r.get("pgVersion");
                    return new NodeState(r.get("id").asString(), r.get("elementId").asString(),
                            pgVersion.isNull() ? null : pgVersion.asLong(), r.get("graphVersion").asLong(), flowing);
                }));
    }

    /** What the plugin publishes of a label (spec: {@code _SyncReverseNode}). */
    static Map<String, Object> nodeConfig(ReverseCatalog.NodeRules rules) {
        Map<String, Object> config = new HashMap<>();
        config.put("label", rules.label());
        config.put("idProperty", rules.idProperty());
        config.put("pgIdProperty", NodeMapping.PG_ID_PROPERTY);
        config.put("versionProperty", rules.versionProperty());
        config.put("graphVersionProperty", rules.graphVersionProperty());
        config.put("properties", rules.properties());
        config.put("onDelete", rules.rules().onDelete().spelling());
        config.put("create", rules.rules().create());
        config.put("tombstoneLabel", rules.mapping().tombstones() ? NodeMapping.TOMBSTONE_LABEL : null);
        return config;
    }

    /** What the plugin publishes of a relationship type (spec: {@code _SyncReverseRelationship}). */
    static Map<String, Object> relationshipConfig(ReverseCatalog.RelationshipRules rules) {
        RelationshipMapping m = rules.mapping();
        Map<String, Object> config = new HashMap<>();
        config.put("type", m.type());
        config.put("fromLabel", m.from().label());
        config.put("fromIdProperty", m.from().idProperty());
        config.put("toLabel", m.to().label());
        config.put("toIdProperty", m.to().idProperty());
        config.put("versionProperty", m.versionColumn() == null ? null : m.versionProperty());
        config.put("temporal", m.temporal());
        config.put("properties", rules.properties());
        return config;
    }

    /**
     * A property value as the plugin writes it into an outbox entry, so that a polled edit and an outbox edit of the same
     * value are the same: integers as longs, floating point as doubles, temporal values as ISO-8601 text (with an offset,
     * never a zone name), lists element by element, anything else its text.
     */
    static Object outboxForm(Value value) {
        return outboxForm(value.asObject());
    }

    private static Object outboxForm(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long || value instanceof Double) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof ZonedDateTime zoned) {
            return zoned.toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        }
        if (value instanceof LocalDateTime || value instanceof LocalDate || value instanceof LocalTime || value instanceof OffsetTime) {
            return value.toString();
        }
        if (value instanceof List<?> list) {
            List<Object> converted = new ArrayList<>(list.size());
            for (Object element : list) {
                converted.add(outboxForm(element));
            }
            return converted;
        }
        return value.toString();
    }

    /** The plugin writes {@code datetime()}; an entry written as text (an older plugin, a hand-made entry) is read too. */
    private static Instant instant(Value value) {
        if (value == null || value.isNull()) {
            return null;
        }
        Object raw = value.asObject();
        if (raw instanceof ZonedDateTime zoned) {
            return zoned.toInstant();
        }
        if (raw instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        if (raw instanceof LocalDateTime local) {
            return local.toInstant(java.time.ZoneOffset.UTC);
        }
        return OffsetDateTime.parse(String.valueOf(raw)).toInstant();
    }

    /** An identity is a string; a node whose identity property holds anything else has none a row could name. */
    private static String identity(Value value) {
        return value.isNull() || !(value.asObject() instanceof String s) ? null : s;
    }

    private <T> T read(String what, TransactionCallback<T> work) {
        try (Session s = driver.session(session)) {
            return s.executeRead(work, REVERSE);
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate(what, e);
        }
    }

    private <T> T write(String what, TransactionCallback<T> work) {
        try (Session s = driver.session(session)) {
            return s.executeWrite(work, REVERSE);
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate(what, e);
        }
    }
}
