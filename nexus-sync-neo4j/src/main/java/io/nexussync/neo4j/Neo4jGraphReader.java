package io.nexussync.neo4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;

/** Reads the graph for the cross-reference catch-up: which of these ids have a node, and its elementId. */
public final class Neo4jGraphReader {
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
            });
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("reading element ids", e);
        }
    }
}
