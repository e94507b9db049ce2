package io.nexussync.it.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.driver.Driver;

/**
 * The contract's rules for the history of {@code (:Thread)-[:INCLUDES]->(:ContentItem)}, written from
 * shared/contract/ and not from the product: per pair, versions never overlap, {@code validFrom <= validTo},
 * at most one version is open, one is open exactly while the row exists, and (where the test recorded
 * every change with {@link #installAudit}) one version per INSERT or changing UPDATE the stream carried,
 * in order, each with the row's values at that change and closed exactly when the next change or the
 * DELETE came.
 */
public final class TemporalHistory {
    static final String AUDIT_TABLE = "nexus_test.thread_content_audit";
    private static final int OPEN_YEAR = 9999;

    private TemporalHistory() {}

    /**
     * Records each INSERT, each UPDATE that changed the row (its {@code pg_version} moved) and each DELETE of
     * {@code thread_content}, in an order that is the commit order for any one pair (its row lock orders them).
     * Install it before the service first starts, so that every recorded change is one the stream carries.
     */
    public static void installAudit(Connection c) throws SQLException {
        installAudit(c, false);
    }

    /**
     * @param snapshotFolds rows already change while the service takes its first snapshot: a pair's first version
     *                      may then stand for all its changes up to the snapshot's view (it must equal the last of
     *                      them), and every change after it must follow, one version each, none missing
     */
    public static void installAudit(Connection c, boolean snapshotFolds) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS nexus_test");
            st.execute("CREATE TABLE IF NOT EXISTS nexus_test.audit_settings (snapshot_folds boolean NOT NULL)");
            st.execute("DELETE FROM nexus_test.audit_settings");
            st.execute("INSERT INTO nexus_test.audit_settings VALUES (" + snapshotFolds + ")");
            st.execute("CREATE TABLE IF NOT EXISTS " + AUDIT_TABLE + " (seq bigserial PRIMARY KEY, op char(1) NOT NULL, thread_id uuid NOT NULL, "
                    + "content_id uuid NOT NULL, pg_version bigint, relevance_score double precision, position integer, added_at timestamptz)");
            st.execute("CREATE OR REPLACE FUNCTION nexus_test.audit_thread_content() RETURNS trigger LANGUAGE plpgsql AS $audit$\n"
                    + "BEGIN\n"
                    + "  IF TG_OP = 'DELETE' THEN\n"
                    + "    INSERT INTO " + AUDIT_TABLE + " (op, thread_id, content_id) VALUES ('D', OLD.thread_id, OLD.content_id);\n"
                    + "    RETURN OLD;\n"
                    + "  END IF;\n"
                    + "  IF TG_OP = 'INSERT' OR NEW.pg_version IS DISTINCT FROM OLD.pg_version THEN\n"
                    + "    INSERT INTO " + AUDIT_TABLE + " (op, thread_id, content_id, pg_version, relevance_score, position, added_at)\n"
                    + "    VALUES (left(TG_OP, 1), NEW.thread_id, NEW.content_id, NEW.pg_version, NEW.relevance_score, NEW.position, NEW.added_at);\n"
                    + "  END IF;\n"
                    + "  RETURN NEW;\n"
                    + "END\n$audit$");
            st.execute("CREATE OR REPLACE TRIGGER zz_nexus_test_audit AFTER INSERT OR UPDATE OR DELETE ON thread_content "
                    + "FOR EACH ROW EXECUTE FUNCTION nexus_test.audit_thread_content()");
        }
    }

    private record Version(long version, double score, long position, Instant addedAt, Instant from, Instant to) {
        boolean open() {
            return to == null;
        }

        String describe() {
            return "v" + version + " [" + from + ", " + (open() ? "open" : to) + ")";
        }
    }

    private record Event(char op, long version, double score, long position, Instant addedAt, long seq) {}

    /**
     * Adds to {@code problems} every way the graph's INCLUDES history breaks the contract's rules. {@code tombstoneLabels}:
     * the labels whose table keeps tombstones, whose deleted rows keep the history of their pairs.
     */
    static void check(Connection pg, Driver neo4j, List<String> problems, Set<String> tombstoneLabels) throws SQLException {
        check(pg, neo4j, problems, tombstoneLabels, 0);
    }

    /**
     * @param snapshotThroughSeq for a graph whose initial snapshot was taken while the database was quiet, after the
     *                           audit's change {@code snapshotThroughSeq} (0: the snapshot came before every recorded
     *                           change): a snapshot writes each row as it is, so per pair the changes up to it stand as
     *                           one version with the last one's values (none if it was a DELETE), then one version per
     *                           change after it
     */
    static void check(Connection pg, Driver neo4j, List<String> problems, Set<String> tombstoneLabels, long snapshotThroughSeq) throws SQLException {
        Set<String> rows = new HashSet<>();
        query(pg, "SELECT thread_id || '->' || content_id FROM thread_content", rs -> rows.add(rs.getString(1)));
        Map<String, List<Version>> history = new HashMap<>();
        try (var session = neo4j.session()) {
            session.run("MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) RETURN t.id + '->' + c.id AS k, r.version AS v, r.relevanceScore AS s, "
                    + "r.position AS p, r.addedAt AS a, r.validFrom AS f, r.validTo AS t").forEachRemaining(r -> {
                        ZonedDateTime to = r.get("t").asZonedDateTime();
                        history.computeIfAbsent(r.get("k").asString(), k -> new ArrayList<>()).add(new Version(r.get("v").asLong(),
                                r.get("s").asDouble(), r.get("p").asLong(), r.get("a").asZonedDateTime().toInstant(),
                                r.get("f").asZonedDateTime().toInstant(), to.getYear() == OPEN_YEAR ? null : to.toInstant()));
                    });
        }
        Comparator<Version> byTime = Comparator.comparing(Version::from)
                .thenComparing(v -> v.open() ? Instant.MAX : v.to())
                .thenComparingLong(Version::version);
        history.forEach((pair, versions) -> {
            versions.sort(byTime);
            long open = versions.stream().filter(Version::open).count();
            if (open > 1) {
                problems.add("INCLUDES " + pair + ": " + open + " open versions " + describe(versions));
            }
            if (open == 0 && rows.contains(pair)) {
                problems.add("INCLUDES " + pair + ": the row exists but no version is open " + describe(versions));
            }
            if (open > 0 && !rows.contains(pair)) {
                problems.add("INCLUDES " + pair + ": the row is gone but a version is still open " + describe(versions));
            }
            for (int i = 0; i < versions.size(); i++) {
                Version v = versions.get(i);
                if (!v.open() && v.to().isBefore(v.from())) {
                    problems.add("INCLUDES " + pair + ": " + v.describe() + " ends before it begins");
                }
                if (i > 0) {
                    Version previous = versions.get(i - 1);
                    if (previous.open() || previous.to().isAfter(v.from())) {
                        problems.add("INCLUDES " + pair + ": " + previous.describe() + " overlaps " + v.describe());
                    }
                }
            }
        });
        if (auditInstalled(pg)) {
            compareWithAudit(pg, history, problems, tombstoneLabels, snapshotThroughSeq);
        }
    }

    /**
     * Every pair whose thread and content item still exist, or whose deleted end keeps a tombstone: its versions are its
     * recorded changes, one each, in order. (Without tombstones a delete takes the node's history with it.)
     */
    private static void compareWithAudit(Connection pg, Map<String, List<Version>> history, List<String> problems, Set<String> tombstoneLabels,
                                         long snapshotThroughSeq) throws SQLException {
        Map<String, List<Event>> events = new HashMap<>();
        String threadKept = tombstoneLabels.contains("Thread") ? "true" : "EXISTS (SELECT 1 FROM threads t WHERE t.id = a.thread_id)";
        String itemKept = tombstoneLabels.contains("ContentItem") ? "true" : "EXISTS (SELECT 1 FROM content_items c WHERE c.id = a.content_id)";
        query(pg, "SELECT a.thread_id || '->' || a.content_id, a.op, a.pg_version, a.relevance_score, a.position, a.added_at, a.seq FROM " + AUDIT_TABLE
                + " a WHERE " + threadKept + " AND " + itemKept + " ORDER BY a.seq", rs -> events.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Event(rs.getString(2).charAt(0),
                        rs.getLong(3), rs.getDouble(4), rs.getLong(5), rs.getObject(6) == null ? null
                                : rs.getObject(6, java.time.OffsetDateTime.class).toInstant(), rs.getLong(7))));
        boolean snapshotFolds = snapshotFolds(pg);
        events.forEach((pair, recorded) -> {
            List<Version> versions = history.getOrDefault(pair, List.of());
            List<Event> changes = snapshotThroughSeq > 0 ? foldedIntoTheSnapshot(recorded, snapshotThroughSeq)
                    : snapshotFolds ? fromTheSnapshotOn(recorded, versions) : recorded;
            List<Event> opening = changes.stream().filter(e -> e.op() != 'D').toList();
            if (versions.size() != opening.size()) {
                problems.add("INCLUDES " + pair + ": " + versions.size() + " versions for " + opening.size()
                        + " INSERTs and changing UPDATEs " + describe(versions));
                return;
            }
            int next = 0;
            for (int i = 0; i < changes.size(); i++) {
                Event e = changes.get(i);
                if (e.op() == 'D') {
                    continue;
                }
                Version v = versions.get(next++);
                if (!sameValues(v, e)) {
                    problems.add("INCLUDES " + pair + ": version " + next + " is " + v + " but the change made " + e);
                }
                boolean followedByChange = i + 1 < changes.size() && changes.get(i + 1).op() != 'D';
                boolean last = i + 1 == changes.size();
                if (last != v.open()) {
                    problems.add("INCLUDES " + pair + ": " + v.describe() + (v.open() ? " is open though a later change closed it" : " is closed though no change came after it"));
                } else if (followedByChange && next < versions.size() && !v.to().equals(versions.get(next).from())) {
                    problems.add("INCLUDES " + pair + ": " + v.describe() + " is not closed when the next version " + versions.get(next).describe() + " begins");
                }
            }
        });
        history.forEach((pair, versions) -> {
            if (!events.containsKey(pair)) {
                problems.add("INCLUDES " + pair + ": " + versions.size() + " version(s) for a pair with no recorded change " + describe(versions));
            }
        });
    }

    /**
     * The recorded changes from the one the pair's first version shows on: the snapshot found the row as that change
     * left it. The latest such change is taken, so a version the stream left out after the snapshot is not hidden.
     * When no change matches, all of them (the comparison then reports the difference).
     */
    private static List<Event> fromTheSnapshotOn(List<Event> recorded, List<Version> versions) {
        if (versions.isEmpty()) {
            return recorded;
        }
        Version first = versions.get(0);
        for (int i = recorded.size() - 1; i >= 0; i--) {
            Event e = recorded.get(i);
            long openingFromHere = recorded.subList(i, recorded.size()).stream().filter(x -> x.op() != 'D').count();
            if (e.op() != 'D' && openingFromHere >= versions.size() && sameValues(first, e)) {
                return recorded.subList(i, recorded.size());
            }
        }
        return recorded;
    }

    /** The pair's changes as a graph whose snapshot came right after change {@code throughSeq} holds them. */
    private static List<Event> foldedIntoTheSnapshot(List<Event> recorded, long throughSeq) {
        List<Event> changes = new ArrayList<>();
        Event lastBefore = null;
        for (Event e : recorded) {
            if (e.seq() <= throughSeq) {
                lastBefore = e;
            } else {
                changes.add(e);
            }
        }
        if (lastBefore != null && lastBefore.op() != 'D') {
            changes.add(0, lastBefore);
        }
        return changes;
    }

    private static boolean sameValues(Version v, Event e) {
        return v.version() == e.version() && Double.compare(v.score(), e.score()) == 0 && v.position() == e.position()
                && v.addedAt().equals(e.addedAt());
    }

    private static boolean snapshotFolds(Connection pg) throws SQLException {
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT coalesce((SELECT bool_or(snapshot_folds) FROM nexus_test.audit_settings), false)")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static boolean auditInstalled(Connection pg) throws SQLException {
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery("SELECT to_regclass('" + AUDIT_TABLE + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static String describe(List<Version> versions) {
        return versions.stream().map(Version::describe).toList().toString();
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private static void query(Connection pg, String sql, RowReader reader) throws SQLException {
        try (Statement st = pg.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                reader.read(rs);
            }
        }
    }
}
