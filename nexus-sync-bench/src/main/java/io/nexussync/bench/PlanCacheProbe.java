package io.nexussync.bench;

import io.nexussync.embedded.EmbeddedNeo4jServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Session;
import org.neo4j.driver.summary.ProfiledPlan;

/**
 * Does a statement run without {@code CYPHER replan=skip} replace the plan that the same statement run with it keeps?
 * On a fresh embedded Neo4j: plans an UNWIND-over-a-map-parameter statement (the shape of ours) on an empty graph, grows
 * the graph so that the side that plan starts from has 200,000 matching nodes, waits out Neo4j's 10 s least interval
 * between two looks at a plan, and prints the operators with their db hits: kept with replan=skip, after one run with no
 * rows and without the option, and again. (A record for whoever takes up the replan=skip + refresh idea again: README,
 * issue 15's "tried and reverted".) Run: {@code java -cp <bench classpath> io.nexussync.bench.PlanCacheProbe}.
 */
public final class PlanCacheProbe {
    private static final String QUERY = "UNWIND $batch.rows AS row MATCH (a:ProbeA {x: row.x})-[:PROBES]->(b:ProbeB {y: row.y}) RETURN count(*) AS c";
    private static final String KEPT = "PROFILE CYPHER replan=skip " + QUERY;
    private static final Map<String, Object> ROWS = Map.of("batch", Map.of("rows", List.of(Map.of("x", 1, "y", 1))));
    private static final Map<String, Object> NO_ROWS = Map.of("batch", Map.of("rows", List.of()));

    private PlanCacheProbe() {}

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("nexus-sync-plan-cache-probe");
        try (EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(home, 0); Driver driver = GraphDatabase.driver(neo4j.boltUri());
             Session s = driver.session()) {
            s.run("CREATE INDEX probe_a FOR (a:ProbeA) ON (a.x)").consume();
            s.run("CREATE INDEX probe_b FOR (b:ProbeB) ON (b.y)").consume();
            s.run("CALL db.awaitIndexes()").consume();
            ProfiledPlan empty = s.run(KEPT, ROWS).consume().profile();
            System.out.println("planned on the empty graph: " + operators(empty));
            boolean startsFromA = String.valueOf(seek(empty).arguments()).contains("ProbeA");
            String heavy = startsFromA ? "ProbeA {x: 1}" : "ProbeB {y: 1}";
            String light = startsFromA ? "ProbeB {y: i}" : "ProbeA {x: i}";
            s.run("UNWIND range(1, 200000) AS i CREATE (:" + heavy + ")").consume();
            s.run("UNWIND range(1, 5) AS i CREATE (:" + light + ")").consume();
            // 1,000 relationships between the heavy side's matching nodes and the light side's one
            s.run(startsFromA ? "MATCH (a:ProbeA {x: 1}) WITH a LIMIT 1000 MATCH (b:ProbeB {y: 1}) CREATE (a)-[:PROBES]->(b)"
                    : "MATCH (b:ProbeB {y: 1}) WITH b LIMIT 1000 MATCH (a:ProbeA {x: 1}) CREATE (a)-[:PROBES]->(b)").consume();
            Thread.sleep(11_000);
            System.out.println("kept with replan=skip: " + operators(s.run(KEPT, ROWS).consume().profile()));
            System.out.println("without the option, no rows: " + operators(s.run("PROFILE " + QUERY, NO_ROWS).consume().profile()));
            System.out.println("kept with replan=skip, again: " + operators(s.run(KEPT, ROWS).consume().profile()));
        }
        BenchFiles.deleteQuietly(home);
        System.exit(0);
    }

    private static String operators(ProfiledPlan plan) {
        StringBuilder out = new StringBuilder(plan.operatorType().replace("@neo4j", "") + " (" + plan.dbHits() + " db hits)");
        for (ProfiledPlan child : plan.children()) {
            out.append(" <- ").append(operators(child));
        }
        return out.toString();
    }

    /** The index seek the plan starts from (under an Apply, the UNWIND is the first child and the seek the second). */
    private static ProfiledPlan seek(ProfiledPlan plan) {
        if (plan.operatorType().startsWith("NodeIndexSeek")) {
            return plan;
        }
        for (ProfiledPlan child : plan.children()) {
            ProfiledPlan found = seek(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}
