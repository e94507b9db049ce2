package io.nexussync.it.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * PostgreSQL's own record of a thread's past, for as-of tests: a trigger keeps every row image of {@code thread_content}
 * (cascaded deletes included) with its transaction id, whose commit time ({@code track_commit_timestamp} is on in the test
 * servers) is the instant the graph dates the change by. AFTER the version trigger, so the image is the one the stream carries.
 */
public final class ThreadContentAudit {
    /** One audited change. */
    public record Row(long seq, Instant committed, String op, String content, Long version, Double relevance, Integer position, Instant addedAt) {}

    /** One row's state: what a thread's item is at an instant. */
    public record Item(String content, long position, double relevance, Instant addedAt, long version) {
        public String describe() {
            return content + " position=" + position + " relevanceScore=" + relevance + " addedAt=" + addedAt + " v" + version;
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final SyncEnvironment env;
    private final String table;

    private ThreadContentAudit(SyncEnvironment env, String table) {
        this.env = env;
        this.table = table;
    }

    /** Creates the audit table {@code nexus_test.NAME} and its trigger; before the service first starts. */
    public static ThreadContentAudit install(SyncEnvironment env, String name) throws SQLException {
        String table = "nexus_test." + name;
        try (Connection c = env.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS nexus_test");
            st.execute("CREATE TABLE " + table + " (seq bigserial PRIMARY KEY, xid xid8 NOT NULL, op char(1) NOT NULL, thread_id uuid NOT NULL, "
                    + "content_id uuid NOT NULL, pg_version bigint, relevance_score double precision, position integer, added_at timestamptz)");
            st.execute("CREATE FUNCTION nexus_test." + name + "_row() RETURNS trigger LANGUAGE plpgsql AS $audit$\n"
                    + "BEGIN\n"
                    + "  IF TG_OP = 'DELETE' THEN\n"
                    + "    INSERT INTO " + table + " (xid, op, thread_id, content_id, pg_version) "
                    + "VALUES (pg_current_xact_id(), 'D', OLD.thread_id, OLD.content_id, OLD.pg_version);\n"
                    + "    RETURN OLD;\n"
                    + "  END IF;\n"
                    + "  INSERT INTO " + table + " (xid, op, thread_id, content_id, pg_version, relevance_score, position, added_at)\n"
                    + "  VALUES (pg_current_xact_id(), left(TG_OP, 1), NEW.thread_id, NEW.content_id, NEW.pg_version, NEW.relevance_score, "
                    + "NEW.position, NEW.added_at);\n"
                    + "  RETURN NEW;\n"
                    + "END\n$audit$");
            st.execute("CREATE TRIGGER zz_" + name + " AFTER INSERT OR UPDATE OR DELETE ON thread_content FOR EACH ROW EXECUTE FUNCTION nexus_test." + name + "_row()");
        }
        return new ThreadContentAudit(env, table);
    }

    /** The thread's audited changes in commit order (within one transaction, in the order they were made). */
    public List<Row> rows(UUID thread) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = env.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT seq, pg_xact_commit_timestamp(xid::text::xid) AS committed, op, content_id, pg_version, "
                     + "relevance_score, position, added_at FROM " + table + " WHERE thread_id = '" + thread + "' ORDER BY committed, seq")) {
            while (rs.next()) {
                OffsetDateTime committed = rs.getObject("committed", OffsetDateTime.class);
                if (committed == null) {
                    throw new IllegalStateException("audit row " + rs.getLong("seq") + " has no commit time: is track_commit_timestamp on?");
                }
                rows.add(new Row(rs.getLong("seq"), committed.toInstant(), rs.getString("op"), rs.getString("content_id"),
                        (Long) rs.getObject("pg_version"), (Double) rs.getObject("relevance_score"), (Integer) rs.getObject("position"),
                        rs.getObject("added_at") == null ? null : rs.getObject("added_at", OffsetDateTime.class).toInstant()));
            }
        }
        return rows;
    }

    /** Every commit time among the rows, in order. */
    public static TreeSet<Instant> commits(List<Row> rows) {
        TreeSet<Instant> commits = new TreeSet<>();
        rows.forEach(row -> commits.add(row.committed()));
        return commits;
    }

    /** {@link #stateAt} as sorted {@link Item#describe} lines: what {@link #graphAsOf} must equal. */
    public static List<String> describedStateAt(List<Row> rows, Instant at) {
        return stateAt(rows, at).values().stream().map(Item::describe).sorted().toList();
    }

    /** What {@code nexus-sync history thread ID --at AT --json} answers, as sorted {@link Item#describe} lines. */
    public static List<String> graphAsOf(SyncEnvironment env, UUID thread, Instant at) throws java.io.IOException {
        SyncEnvironment.CliRun cli = env.cli("history", "thread", thread.toString(), "--at", at.toString(), "--json");
        if (cli.exit() != 0) {
            throw new AssertionError("history thread --at " + at + " exited " + cli.exit() + ": " + cli.err());
        }
        return items(JSON.readTree(cli.out()));
    }

    /**
     * {@link #graphAsOf} without a CLI start per answer (a configuration load and a Neo4j connection each): the same
     * library call ({@link io.nexussync.core.history.RelationshipHistory#at}) and the same JSON view the command prints.
     */
    public static AsOf asOfInProcess(SyncEnvironment env) {
        var history = new io.nexussync.core.history.RelationshipHistory(
                new io.nexussync.neo4j.Neo4jTemporalGraph(env.driver(), env.config().neo4jDatabase()));
        var threadContent = io.nexussync.core.history.RelationshipHistory.threadContent(env.config().loadMapping());
        return (thread, at) -> items(JSON.readTree(JSON.writeValueAsString(io.nexussync.app.service.HistoryViews.contents(
                history.at(threadContent, thread.toString(), at, io.nexussync.core.history.RelationshipHistory.THREAD_ORDER)))));
    }

    /** A thread's contents at an instant, as sorted {@link Item#describe} lines. */
    @FunctionalInterface
    public interface AsOf {
        List<String> at(UUID thread, Instant at) throws java.io.IOException;
    }

    private static List<String> items(com.fasterxml.jackson.databind.JsonNode contents) {
        List<String> items = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode item : contents.get("items")) {
            com.fasterxml.jackson.databind.JsonNode p = item.get("properties");
            items.add(new Item(item.get("endId").asText(), p.get("position").asLong(), p.get("relevanceScore").asDouble(),
                    Instant.parse(p.get("addedAt").asText()), item.get("version").asLong()).describe());
        }
        return items.stream().sorted().toList();
    }

    /** PostgreSQL's rows of the thread at {@code at}: every change committed at or before it, in commit order. */
    public static Map<String, Item> stateAt(List<Row> rows, Instant at) {
        Map<String, Item> state = new TreeMap<>();
        for (Row row : rows) {
            if (row.committed().isAfter(at)) {
                break;
            }
            if (row.op().equals("D")) {
                state.remove(row.content());
            } else {
                state.put(row.content(), new Item(row.content(), row.position(), row.relevance(), row.addedAt(), row.version()));
            }
        }
        return state;
    }
}
