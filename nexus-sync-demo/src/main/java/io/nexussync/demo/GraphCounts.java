package io.nexussync.demo;

import io.nexussync.neo4j.Neo4jTransactions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.TransactionConfig;

/** Counts per label and relationship type, for the demo's running account. */
final class GraphCounts {
    private GraphCounts() {}

    static Map<String, Long> of(Driver driver) {
        Map<String, Long> counts = new LinkedHashMap<>();
        TransactionConfig demo = Neo4jTransactions.config("demo");
        try (var session = driver.session()) {
            for (String label : new String[] {"ContentItem", "Thread", "Message", "Tag"}) {
                counts.put(label, session.run("MATCH (n:" + label + ") RETURN count(n) AS c", demo).single().get("c").asLong());
            }
            counts.put("HAS_MESSAGE", session.run("MATCH ()-[r:HAS_MESSAGE]->() RETURN count(r) AS c", demo).single().get("c").asLong());
            counts.put("TAGGED_WITH", session.run("MATCH ()-[r:TAGGED_WITH]->() RETURN count(r) AS c", demo).single().get("c").asLong());
            counts.put("INCLUDES(current)", session.run(
                    "MATCH ()-[r:INCLUDES]->() WHERE r.validTo = datetime('9999-12-31T00:00:00Z') RETURN count(r) AS c", demo).single().get("c").asLong());
        }
        return counts;
    }
}
