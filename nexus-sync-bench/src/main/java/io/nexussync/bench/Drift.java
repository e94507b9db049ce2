package io.nexussync.bench;

import io.nexussync.core.verify.FindingKind;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.summary.SummaryCounters;

/**
 * {@value #TOTAL} discrepancies written straight into the graph behind the (stopped) service's back, on entities picked
 * at random over every mapped table, each of which must show as exactly one finding: changed, PG-only and removed
 * properties, deleted nodes (messages: leaves, so no relationship of another table goes with them), stray nodes,
 * changed, extra and deleted relationships.
 */
final class Drift {
    static final int TOTAL = 1_000;
    private static final String OPEN = "datetime('9999-12-31T00:00:00Z')";

    private final PgSettings settings;
    private final Driver driver;
    private final Map<FindingKind, Long> expected = new EnumMap<>(FindingKind.class);

    Drift(PgSettings settings, Driver driver) {
        this.settings = settings;
        this.driver = driver;
    }

    /** @return the findings each kind must yield */
    Map<FindingKind, Long> inject() throws SQLException {
        try (Connection c = PgConnections.open(settings, "bench drift"); Statement st = c.createStatement(); Session session = driver.session()) {
            st.execute("SELECT setseed(0.42)");
            List<String> content = column(st, "SELECT id::text FROM content_items ORDER BY random() LIMIT 250");
            nodes(session, FindingKind.PROPERTY_DIFFERS, content.subList(0, 200), "MATCH (n:ContentItem {id: id}) SET n.title = n.title + ' (changed)'");
            nodes(session, FindingKind.PROPERTY_EXTRA, content.subList(200, 250), "MATCH (n:ContentItem {id: id}) SET n.body = 'a PG-only column'");
            nodes(session, FindingKind.PROPERTY_MISSING, column(st, "SELECT id::text FROM threads ORDER BY random() LIMIT 50"),
                    "MATCH (n:Thread {id: id}) REMOVE n.status");
            nodes(session, FindingKind.NODE_MISSING, column(st, "SELECT id::text FROM messages ORDER BY random() LIMIT 150"),
                    "MATCH (n:Message {id: id}) DETACH DELETE n");
            nodes(session, FindingKind.PROPERTY_DIFFERS, column(st, "SELECT id::text FROM tags ORDER BY random() LIMIT 25"),
                    "MATCH (n:Tag {id: id}) SET n.name = n.name + ' (changed)'");
            List<String> strays = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                strays.add(UUID.nameUUIDFromBytes(("stray " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
            }
            nodes(session, FindingKind.NODE_STRAY, strays, "CREATE (n:Tag {id: id, pgId: id, name: 'stray'})");

            pairs(session, FindingKind.RELATIONSHIP_PROPERTY_DIFFERS,
                    pairs(st, "SELECT thread_id::text, content_id::text FROM thread_content ORDER BY random() LIMIT 150"),
                    "MATCH (a:Thread {id: p[0]})-[r:INCLUDES]->(b:ContentItem {id: p[1]}) WHERE r.validTo = " + OPEN
                            + " SET r.relevanceScore = r.relevanceScore + 1000.0");
            // An INCLUDES with no row: open, so it reads as a relationship the deleted row left open.
            pairs(session, FindingKind.HISTORY_OPEN_AFTER_DELETE, absentPairs(st, "threads", "content_items", "thread_content", "thread_id", "content_id", 100),
                    "MATCH (a:Thread {id: p[0]}), (b:ContentItem {id: p[1]}) CREATE (a)-[r:INCLUDES]->(b) SET r = $sample",
                    sample(session, "INCLUDES", " WHERE r.validTo = " + OPEN));
            pairs(session, FindingKind.RELATIONSHIP_MISSING, pairs(st, "SELECT content_id::text, tag_id::text FROM content_tags ORDER BY random() LIMIT 125"),
                    "MATCH (a:ContentItem {id: p[0]})-[r:TAGGED_WITH]->(b:Tag {id: p[1]}) DELETE r");
            pairs(session, FindingKind.RELATIONSHIP_EXTRA, absentPairs(st, "content_items", "tags", "content_tags", "content_id", "tag_id", 125),
                    "MATCH (a:ContentItem {id: p[0]}), (b:Tag {id: p[1]}) CREATE (a)-[r:TAGGED_WITH]->(b) SET r = $sample",
                    sample(session, "TAGGED_WITH", ""));
        }
        long total = expected.values().stream().mapToLong(Long::longValue).sum();
        if (total != TOTAL) {
            throw new IllegalStateException("injected " + total + " discrepancies, not " + TOTAL + ": " + expected);
        }
        return expected;
    }

    private void nodes(Session session, FindingKind kind, List<String> ids, String perId) {
        SummaryCounters counters = session.executeWrite(tx -> tx.run("UNWIND $ids AS id " + perId, Map.of("ids", ids)).consume().counters());
        long touched = Math.max(counters.nodesDeleted(), counters.nodesCreated());
        if (touched == 0) {
            touched = counters.propertiesSet();
        }
        if (touched != ids.size()) {
            throw new IllegalStateException(kind + ": " + ids.size() + " nodes picked but " + touched + " changed (" + perId + ")");
        }
        expected.merge(kind, (long) ids.size(), Long::sum);
    }

    private void pairs(Session session, FindingKind kind, List<List<String>> pairs, String perPair) {
        pairs(session, kind, pairs, perPair, Map.of());
    }

    private void pairs(Session session, FindingKind kind, List<List<String>> pairs, String perPair, Map<String, Object> sample) {
        SummaryCounters counters = session.executeWrite(tx -> tx.run("UNWIND $pairs AS p " + perPair, Map.of("pairs", pairs, "sample", sample))
                .consume().counters());
        long touched = Math.max(counters.relationshipsCreated(), counters.relationshipsDeleted());
        if (touched == 0) {
            touched = counters.propertiesSet();
        }
        if (touched != pairs.size()) {
            throw new IllegalStateException(kind + ": " + pairs.size() + " pairs picked but " + touched + " changed (" + perPair + ")");
        }
        expected.merge(kind, (long) pairs.size(), Long::sum);
    }

    /** The properties of one relationship of the type, to give an extra one believable values. */
    private static Map<String, Object> sample(Session session, String type, String where) {
        return session.executeRead(tx -> tx.run("MATCH ()-[r:" + type + "]->()" + where + " RETURN properties(r) AS p LIMIT 1").single().get("p").asMap());
    }

    /** Random pairs of a from row and a to row that the join table does not hold. */
    private static List<List<String>> absentPairs(Statement st, String fromTable, String toTable, String joinTable, String fromColumn, String toColumn,
                                                  int count) throws SQLException {
        return pairs(st, "WITH f AS (SELECT id, row_number() OVER () AS n FROM (SELECT id FROM " + fromTable + " ORDER BY random() LIMIT " + count * 4 + ") x), "
                + "t AS (SELECT id, row_number() OVER () AS n FROM (SELECT id FROM " + toTable + " ORDER BY random() LIMIT " + count * 4 + ") y) "
                // Each sampled from row meets one to row, so the pairs are distinct.
                + "SELECT f.id::text, t.id::text FROM f JOIN t ON t.n = f.n % (SELECT count(*) FROM t) + 1 "
                + "WHERE NOT EXISTS (SELECT 1 FROM " + joinTable + " j WHERE j." + fromColumn + " = f.id AND j." + toColumn + " = t.id) "
                + "LIMIT " + count);
    }

    private static List<String> column(Statement st, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static List<List<String>> pairs(Statement st, String sql) throws SQLException {
        List<List<String>> values = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(List.of(rs.getString(1), rs.getString(2)));
            }
        }
        return values;
    }
}
