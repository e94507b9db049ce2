package io.nexussync.bench;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

/**
 * A cheap guard on the nexus-sync figures: a fast sync that loses rows would be no result. Compares
 * row counts per table with node and (current) relationship counts per label and type; the
 * integration tests' GraphEquality does the full property-by-property comparison.
 */
final class GraphCheck {
    private GraphCheck() {}

    /** @return "ok (n nodes, m relationships)" or the counts that differ */
    static String compare(PgSettings settings, Driver driver, Mapping mapping) throws SQLException {
        List<String> differences = new ArrayList<>();
        long nodes = 0;
        long relationships = 0;
        try (Connection c = PgConnections.open(settings, "bench check"); Statement st = c.createStatement(); Session s = driver.session()) {
            for (NodeMapping n : mapping.nodes()) {
                long rows = count(st, "SELECT count(*) FROM " + quote(n.table()));
                long graph = s.run("MATCH (n:`" + n.label() + "`) RETURN count(n) AS c").single().get("c").asLong();
                nodes += graph;
                if (rows != graph) {
                    differences.add(n.table() + " " + rows + " rows vs " + graph + " :" + n.label() + " nodes");
                }
            }
            for (RelationshipMapping r : mapping.relationships()) {
                long rows = count(st, "SELECT count(*) FROM " + quote(r.table()));
                String current = r.temporal() ? " WHERE x.validTo = datetime('9999-12-31T00:00:00Z')" : "";
                long graph = s.run("MATCH ()-[x:`" + r.type() + "`]->()" + current + " RETURN count(x) AS c").single().get("c").asLong();
                relationships += graph;
                if (rows != graph) {
                    differences.add(r.table() + " " + rows + " rows vs " + graph + " :" + r.type() + " relationships");
                }
            }
        }
        return differences.isEmpty() ? "ok (" + nodes + " nodes, " + relationships + " relationships match the row counts)"
                : "MISMATCH: " + String.join("; ", differences);
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
