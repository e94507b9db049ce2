package io.nexussync.bench;

import io.nexussync.neo4j.Neo4jGraphOutbox;
import io.nexussync.neo4j.Neo4jTransactions;
import java.util.Map;
import org.neo4j.driver.Driver;

/**
 * Empties the graph between benchmark runs. The nexus-sync plugin refuses deletes of mapped nodes once a service has
 * published its reverse rules, and the inner transactions of {@code CALL ... IN TRANSACTIONS} do not carry the outer
 * one's metadata: the rules go first, as the service withdraws them, then everything else.
 */
final class GraphReset {
    private GraphReset() {}

    static void clear(Driver driver) {
        new Neo4jGraphOutbox(driver, null).withdraw();
        try (var session = driver.session()) {
            session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS", Map.of(),
                    Neo4jTransactions.config("bench-reset")).consume();
        }
    }
}
