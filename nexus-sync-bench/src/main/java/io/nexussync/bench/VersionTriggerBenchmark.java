package io.nexussync.bench;

import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.postgres.SqlNames;
import io.nexussync.postgres.setup.TableAdoption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The version trigger's cost ({@code bench/run-trigger.sh [ROUNDS]}): the same single-row UPDATEs, one
 * per transaction as an application sends them, on three tables shaped like content_items in one
 * embedded PostgreSQL 17: one with the trigger setup installs now, one with the trigger it installed
 * before issue 10 (every column named, compared with its own {@code =}, text form for types without
 * one), and one with no trigger, so that the trigger's own share can be told apart. Each scenario runs
 * in rounds, the three tables taking turns within a round; the figure is the median over rounds of
 * the time per UPDATE: the PostgreSQL backend's CPU time ({@code /proc/PID/schedstat}, the time its
 * process was on a CPU, so less moved by the other processes of a shared machine) and the client's
 * wall time. It also checks that both triggers bumped {@code pg_version} where they should.
 */
public final class VersionTriggerBenchmark {
    private static final String[] VARIANTS = {"no trigger", "before issue 10", "now"};
    private static final String[] TABLES = {"rows_none", "rows_before", "rows_now"};
    private static final int MIB = 1 << 20;
    private static final String TABLE_DDL = "CREATE TABLE %s (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, project_id uuid NOT NULL, "
            + "title text NOT NULL, body text, content_type text NOT NULL DEFAULT 'document', metadata jsonb NOT NULL DEFAULT '{}', "
            + "access_level text NOT NULL DEFAULT 'project', view_count bigint NOT NULL DEFAULT 0, created_by uuid, "
            + "created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), "
            + "neo4j_node_id text, pg_version bigint NOT NULL DEFAULT 1, neo4j_version bigint NOT NULL DEFAULT 0)";

    record Scenario(String name, String sql, boolean bumps, int updates, boolean large, List<Object> values) {}

    record Figures(double cpuMicros, double wallMicros) {}

    /**
     * {@code [ROUNDS]} measures; {@code --sql FILE} writes the tables, rows and the three trigger functions
     * (as setup writes them here) to FILE, for bench/run-trigger-instructions.sh to count instructions with.
     */
    public static void main(String[] args) {
        boolean sqlOnly = args.length == 2 && args[0].equals("--sql");
        int rounds = args.length > 0 && !sqlOnly ? Integer.parseInt(args[0]) : 7;
        int status = 1;
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startLogical()) {
            try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl(), EmbeddedPostgresServer.USER, "");
                 Statement st = admin.createStatement()) {
                st.execute("CREATE DATABASE trigger_bench");
            }
            String url = postgres.jdbcUrl("trigger_bench");
            String version;
            UUID large = UUID.randomUUID();
            UUID small = UUID.randomUUID();
            try (Connection c = DriverManager.getConnection(url, EmbeddedPostgresServer.USER, "")) {
                version = prepare(c, large, small);
                if (sqlOnly) {
                    Files.writeString(Path.of(args[1]), sql(c, large));
                }
            }
            if (!sqlOnly) {
                print(measureAll(url, rounds, large, small), rounds, version);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        }
        System.exit(status);
    }

    private static Map<Scenario, Figures[]> measureAll(String url, int rounds, UUID large, UUID small) throws Exception {
        Map<Scenario, Figures[]> results = new LinkedHashMap<>();
        List<Connection> connections = new ArrayList<>();
        try {
            List<Integer> pids = new ArrayList<>();
            for (int v = 0; v < VARIANTS.length; v++) {
                Connection c = DriverManager.getConnection(url, EmbeddedPostgresServer.USER, "");
                connections.add(c);
                pids.add(backendPid(c));
            }
            for (Scenario s : scenarios()) {
                results.put(s, measure(s, rounds, connections, pids, s.large() ? large : small));
            }
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
        return results;
    }

    /** Each scenario's values take turns, the first one differing from what the row holds when a round starts. */
    private static List<Scenario> scenarios() {
        // Hex digits of md5 do not compress, so each value is stored out of line at its full 1 MiB.
        String a = hex("a", MIB);
        String b = hex("b", MIB);
        String longer = hex("c", MIB + 1);
        return List.of(
                new Scenario("1 MiB body left alone: `view_count` + 1 (after `body` in column order)",
                        "UPDATE %s SET view_count = view_count + 1 WHERE id = ?", true, 200, true, List.of()),
                new Scenario("1 MiB body left alone: `title` changed (before `body`)",
                        "UPDATE %s SET title = ? WHERE id = ?", true, 200, true, List.of("two", "one")),
                new Scenario("1 MiB body left alone: write-back of `neo4j_node_id` (no bump)",
                        "UPDATE %s SET neo4j_node_id = ? WHERE id = ?", false, 200, true, List.of("4:one", "4:two")),
                new Scenario("1 MiB body replaced by another of the same length",
                        "UPDATE %s SET body = ? WHERE id = ?", true, 20, true, List.of(b, a)),
                new Scenario("1 MiB body replaced by one a byte longer or shorter",
                        "UPDATE %s SET body = ? WHERE id = ?", true, 20, true, List.of(longer, a)),
                new Scenario("small row (no value out of line): `view_count` + 1",
                        "UPDATE %s SET view_count = view_count + 1 WHERE id = ?", true, 500, false, List.of()));
    }

    private static Figures[] measure(Scenario s, int rounds, List<Connection> connections, List<Integer> pids, UUID id) throws Exception {
        double[][] cpu = new double[VARIANTS.length][rounds];
        double[][] wall = new double[VARIANTS.length][rounds];
        for (int round = -1; round < rounds; round++) { // round -1 warms up and is not counted
            for (int v = 0; v < VARIANTS.length; v++) {
                Connection c = connections.get(v);
                long versionBefore = version(c, TABLES[v], id);
                long cpuBefore = cpuNanos(pids.get(v));
                long start = System.nanoTime();
                try (PreparedStatement ps = c.prepareStatement(String.format(s.sql(), TABLES[v]))) {
                    for (int i = 0; i < s.updates(); i++) {
                        int p = 1;
                        if (!s.values().isEmpty()) {
                            ps.setObject(p++, s.values().get(i % s.values().size()));
                        }
                        ps.setObject(p, id);
                        ps.executeUpdate();
                    }
                }
                long wallNanos = System.nanoTime() - start;
                long cpuNanos = cpuNanos(pids.get(v)) - cpuBefore;
                long bumps = version(c, TABLES[v], id) - versionBefore;
                long expected = v == 0 ? 0 : s.bumps() ? s.updates() : 0;
                if (bumps != expected) {
                    throw new IllegalStateException(VARIANTS[v] + ", " + s.name() + ": " + bumps + " bumps, expected " + expected);
                }
                if (round >= 0) {
                    cpu[v][round] = cpuNanos / 1e3 / s.updates();
                    wall[v][round] = wallNanos / 1e3 / s.updates();
                }
            }
        }
        Figures[] figures = new Figures[VARIANTS.length];
        for (int v = 0; v < VARIANTS.length; v++) {
            figures[v] = new Figures(median(cpu[v]), median(wall[v]));
        }
        return figures;
    }

    private static String prepare(Connection c, UUID large, UUID small) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA nexus_sync"); // where setup keeps the trigger functions (its migrations create it)
            for (String table : TABLES) {
                st.execute(TABLE_DDL.formatted(table));
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, tenant_id, project_id, title, body, metadata) "
                        + "VALUES (?, ?, ?, 'one', ?, '{\"kind\": \"note\", \"tags\": [1, 2, 3]}'), (?, ?, ?, 'one', 'a small body', '{}')")) {
                    ps.setObject(1, large);
                    ps.setObject(2, large);
                    ps.setObject(3, large);
                    ps.setString(4, hex("a", MIB));
                    ps.setObject(5, small);
                    ps.setObject(6, small);
                    ps.setObject(7, small);
                    ps.executeUpdate();
                }
            }
            // Setup installs today's trigger on both mapped tables; the "before" one then gets the old function back.
            Path mapping = Files.createTempFile("trigger-bench", ".yaml");
            StringBuilder yaml = new StringBuilder("name: trigger-bench\nnodes:\n");
            for (String table : List.of(TABLES[1], TABLES[2])) {
                yaml.append("  - table: public.").append(table).append("\n    label: L").append(table)
                        .append("\n    key: id\n    version: pg_version\n    graphVersion: neo4j_version\n    crossReference: neo4j_node_id\n");
            }
            Files.writeString(mapping, yaml);
            try {
                TableAdoption.adopt(c, MappingLoader.load(mapping));
            } finally {
                Files.deleteIfExists(mapping);
            }
            installTriggerBeforeIssue10(c, TABLES[1]);
            st.execute("VACUUM ANALYZE");
            try (ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * For a single-user PostgreSQL (statements end with a semicolon and an empty line): the schema, the
     * three tables with their two rows, and the trigger functions, without the triggers.
     */
    private static String sql(Connection c, UUID large) throws SQLException {
        StringBuilder out = new StringBuilder("CREATE SCHEMA nexus_sync;\n\n");
        for (String table : TABLES) {
            out.append(TABLE_DDL.formatted(table)).append(";\n\n");
            try (PreparedStatement ps = c.prepareStatement("SELECT format('INSERT INTO %s (id, tenant_id, project_id, title, body, metadata) "
                    + "VALUES (%L, %L, %L, %L, %L, %L)', ?, id, tenant_id, project_id, title, body, metadata) FROM " + table + " ORDER BY id = ?")) {
                ps.setString(1, table);
                ps.setObject(2, large);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.append(rs.getString(1)).append(";\n\n");
                    }
                }
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_get_functiondef(p.oid) FROM pg_proc p "
                + "JOIN pg_namespace s ON s.oid = p.pronamespace WHERE s.nspname = 'nexus_sync' ORDER BY p.proname")) {
            while (rs.next()) {
                out.append(rs.getString(1).stripTrailing()).append(";\n\n");
            }
        }
        out.append("CREATE FUNCTION nexus_sync.no_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\n");
        return out.toString();
    }

    /** What TableAdoption.installVersionTrigger wrote before issue 10 (commit 83b80ea), for the comparison. */
    private static void installTriggerBeforeIssue10(Connection c, String table) throws SQLException {
        List<String> withoutEquality = new ArrayList<>();
        try (var ps = c.prepareStatement("SELECT a.attname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                + "WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped AND NOT EXISTS (SELECT 1 FROM pg_operator o "
                + "WHERE o.oprname = '=' AND o.oprleft = CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN t.typelem ELSE t.oid END "
                + "AND o.oprright = o.oprleft)")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    withoutEquality.add(rs.getString(1));
                }
            }
        }
        List<String> compared = new ArrayList<>();
        try (var ps = c.prepareStatement("SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String column = rs.getString(1);
                    if (!List.of("pg_version", "neo4j_version", "neo4j_node_id").contains(column)) {
                        String cast = withoutEquality.contains(column) ? "::text" : "";
                        compared.add("NEW." + SqlNames.quote(column) + cast + " IS DISTINCT FROM OLD." + SqlNames.quote(column) + cast);
                    }
                }
            }
        }
        String function = "nexus_sync." + SqlNames.quote("bump_version__public__" + table);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n"
                    + "  IF " + String.join("\n     OR ", compared) + " THEN\n"
                    + "    NEW.pg_version := OLD.pg_version + 1;\n  ELSE\n    NEW.pg_version := OLD.pg_version;\n  END IF;\n"
                    + "  RETURN NEW;\nEND\n$fn$");
            st.execute("CREATE OR REPLACE TRIGGER nexus_sync_bump_version BEFORE UPDATE ON " + table + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
        }
    }

    private static void print(Map<Scenario, Figures[]> results, int rounds, String version) {
        System.out.println();
        System.out.println("## The version trigger: cost per UPDATE");
        System.out.println();
        System.out.println("Command: `" + System.getProperty("bench.command", "java -cp ... " + VersionTriggerBenchmark.class.getName() + " " + rounds) + "`");
        System.out.println();
        System.out.printf("%s, embedded, on loopback; %d CPUs. One UPDATE per transaction (autocommit), one connection per table; "
                + "%d rounds after one not counted, the three tables taking turns in each; medians over the rounds.%n%n",
                version.replaceAll(" on .*", ""), Runtime.getRuntime().availableProcessors(), rounds);
        System.out.println("| UPDATE | updates per round | backend CPU, no trigger | trigger's share of it: before issue 10 | now | "
                + "wall, no trigger | before issue 10 | now |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (var e : results.entrySet()) {
            Figures[] f = e.getValue();
            System.out.printf("| %s | %d | %.0f µs | %+.0f µs | %+.0f µs | %.0f µs | %.0f µs | %.0f µs |%n", e.getKey().name(), e.getKey().updates(),
                    f[0].cpuMicros(), f[1].cpuMicros() - f[0].cpuMicros(), f[2].cpuMicros() - f[0].cpuMicros(),
                    f[0].wallMicros(), f[1].wallMicros(), f[2].wallMicros());
        }
        System.out.println();
        System.out.println("The trigger's share: the backend's CPU time per UPDATE with that trigger less the same without a trigger. "
                + "Wall: the client's time per UPDATE, round trip and commit included. Both triggers bumped `pg_version` once per "
                + "UPDATE in every scenario but the write-back, where neither did (checked every round).");
    }

    private static long version(Connection c, String table, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_version FROM " + table + " WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Nanoseconds the process has spent on a CPU (the first field of /proc/PID/schedstat). */
    private static long cpuNanos(int pid) throws Exception {
        return Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/schedstat")).trim().split("\\s+")[0]);
    }

    /** {@code length} characters of md5 hex digits, different for each seed. */
    private static String hex(String seed, int length) {
        try {
            var md5 = java.security.MessageDigest.getInstance("MD5");
            StringBuilder out = new StringBuilder(length + 32);
            for (int i = 0; out.length() < length; i++) {
                for (byte x : md5.digest((seed + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                    out.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
                }
            }
            out.setLength(length);
            return out.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
