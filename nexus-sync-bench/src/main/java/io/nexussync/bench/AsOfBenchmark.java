package io.nexussync.bench;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import io.nexussync.embedded.EmbeddedNeo4jServer;
import io.nexussync.neo4j.Neo4jSchema;
import io.nexussync.neo4j.Neo4jTemporalGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Session;
import org.neo4j.driver.summary.Plan;

/**
 * As-of queries over many {@code INCLUDES} versions, with and without the relationship indexes {@code setup} creates. Loads
 * VERSIONS versions straight into an embedded Neo4j (no PostgreSQL, no service: the shape the writer leaves, each pair a
 * chain of versions, the last one open), then times each documented query (EXPLAIN's operators printed beside it) first
 * without the {@code validFrom}/{@code validTo} indexes and then with them: one thread as of an instant, one thread's
 * versions in an hour, every version valid at an instant (counted), and the versions that began (or ended) in one minute.
 * Run: {@code bench/run-asof.sh [VERSIONS]}.
 */
public final class AsOfBenchmark {
    private static final int ITEMS_PER_THREAD = 100;
    private static final int VERSIONS_PER_PAIR = 10;
    private static final int CONTENT_ITEMS = 10_000;
    private static final int BATCH = 10_000;
    private static final Duration PHASE_BUDGET = Duration.ofSeconds(30);
    private static final int MIN_RUNS = 10;
    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
    /** A version lasts 1 s to 2 days: the history spans about ten days. */
    private static final long MAX_VERSION_SECONDS = 2 * 86_400;
    private static final long SPAN_SECONDS = VERSIONS_PER_PAIR * MAX_VERSION_SECONDS / 2;
    private static final Mapping MAPPING = MappingLoader.builtIn();
    private static final RelationshipMapping INCLUDES = MAPPING.relationship(TableId.parse("thread_content")).orElseThrow();
    static final String ALL_VALID_AT = "MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) WHERE r.validFrom <= $at AND $at < r.validTo RETURN count(*) AS n";
    static final String BEGAN_BETWEEN = "MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) WHERE $from <= r.validFrom <= $to "
            + "RETURN t.id, c.id, r.validFrom, r.version ORDER BY r.validFrom";
    static final String ENDED_BETWEEN = "MATCH (t:Thread)-[r:INCLUDES]->(c:ContentItem) WHERE $from <= r.validTo <= $to "
            + "RETURN t.id, c.id, r.validTo, r.version ORDER BY r.validTo";

    private AsOfBenchmark() {}

    /** One query: its name, its statement, how many times it is run, and the parameters of each run. */
    private record Query(String name, String statement, int runs, Function<Random, Map<String, Object>> parameters) {}

    private record Measured(String name, Percentiles latency, long rowsPerRun, String plan) {}

    public static void main(String[] args) {
        int status = 1;
        Path home = null;
        try {
            long versions = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
            int threads = (int) Math.max(1, versions / (ITEMS_PER_THREAD * VERSIONS_PER_PAIR));
            home = Files.createTempDirectory("nexus-sync-bench-asof");
            try (EmbeddedNeo4jServer neo4j = EmbeddedNeo4jServer.start(home, 0);
                 Driver driver = GraphDatabase.driver(neo4j.boltUri(), AuthTokens.none());
                 Session session = driver.session()) {
                // The node constraints first (the loader's MATCHes need them); the relationship indexes only later.
                Neo4jSchema.ensureConstraints(driver, null, MAPPING);
                dropTemporalIndexes(session);
                long loadStart = System.nanoTime();
                long loaded = load(session, threads);
                Duration load = Duration.ofNanos(System.nanoTime() - loadStart);
                List<Query> queries = queries(threads);
                // The first phase would otherwise also pay for the JIT and a cold page cache: a discarded round of the queries
                // whose plans the indexes do not change (one thread's), so that the two phases differ by the indexes alone.
                measure(session, queries.subList(0, 2));
                List<Measured> without = measure(session, queries);
                long indexStart = System.nanoTime();
                Neo4jSchema.ensureConstraints(driver, null, MAPPING);
                session.run("CALL db.awaitIndexes(3600)").consume();
                Duration indexing = Duration.ofNanos(System.nanoTime() - indexStart);
                List<Measured> with = measure(session, queries);
                print(loaded, threads, load, indexing, without, with);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            BenchFiles.deleteQuietly(home);
        }
        System.exit(status);
    }

    private static void dropTemporalIndexes(Session session) {
        session.run("DROP INDEX nexus_sync_INCLUDES_validFrom IF EXISTS").consume();
        session.run("DROP INDEX nexus_sync_INCLUDES_validTo IF EXISTS").consume();
    }

    /** Thread i has 100 content items chosen at random from 10,000, each pair a chain of 10 versions from a random start. */
    private static long load(Session session, int threads) {
        session.run("UNWIND range(0, $n - 1) AS i CREATE (:ContentItem {id: 'c-' + i, pgId: 'c-' + i})", Map.of("n", CONTENT_ITEMS)).consume();
        session.run("UNWIND range(0, $n - 1) AS i CREATE (:Thread {id: 't-' + i, pgId: 't-' + i})", Map.of("n", threads)).consume();
        Random random = new Random(17);
        List<Map<String, Object>> rows = new ArrayList<>();
        long written = 0;
        for (int t = 0; t < threads; t++) {
            java.util.Set<Integer> items = new java.util.LinkedHashSet<>();
            while (items.size() < ITEMS_PER_THREAD) {
                items.add(random.nextInt(CONTENT_ITEMS));
            }
            for (int item : items) {
                long at = random.nextLong(MAX_VERSION_SECONDS);
                for (int v = 1; v <= VERSIONS_PER_PAIR; v++) {
                    long until = at + 1 + random.nextLong(MAX_VERSION_SECONDS);
                    Map<String, Object> row = new HashMap<>();
                    row.put("t", "t-" + t);
                    row.put("c", "c-" + item);
                    row.put("from", time(at));
                    row.put("to", v == VERSIONS_PER_PAIR ? OffsetDateTime.parse("9999-12-31T00:00:00Z") : time(until));
                    row.put("version", v);
                    row.put("position", random.nextInt(ITEMS_PER_THREAD));
                    row.put("relevance", random.nextDouble());
                    rows.add(row);
                    at = until;
                    if (rows.size() == BATCH) {
                        written += write(session, rows);
                    }
                }
            }
        }
        return written + write(session, rows);
    }

    private static long write(Session session, List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return 0;
        }
        session.executeWrite(tx -> tx.run("UNWIND $rows AS row MATCH (t:Thread {id: row.t}) MATCH (c:ContentItem {id: row.c}) "
                + "CREATE (t)-[:INCLUDES {validFrom: row.from, validTo: row.to, version: row.version, position: row.position, "
                + "relevanceScore: row.relevance, addedAt: row.from}]->(c)", Map.of("rows", rows)).consume());
        int n = rows.size();
        rows.clear();
        return n;
    }

    private static List<Query> queries(int threads) {
        Function<Random, OffsetDateTime> anyTime = random -> time(random.nextLong(SPAN_SECONDS));
        return List.of(
                new Query("one thread as of an instant (`history thread ID --at`)", Neo4jTemporalGraph.validAtStatement(INCLUDES), 2_000,
                        random -> Map.of("id", "t-" + random.nextInt(threads), "at", anyTime.apply(random))),
                new Query("one thread's versions in an hour (`history thread ID --changes`)", Neo4jTemporalGraph.overlappingStatement(INCLUDES), 2_000,
                        random -> {
                            OffsetDateTime from = anyTime.apply(random);
                            return Map.of("id", "t-" + random.nextInt(threads), "from", from, "to", from.plusHours(1));
                        }),
                new Query("every INCLUDES valid at an instant (counted)", ALL_VALID_AT, 20, random -> Map.of("at", anyTime.apply(random))),
                new Query("versions that began in one minute", BEGAN_BETWEEN, 500, random -> minute(anyTime.apply(random))),
                new Query("versions that ended in one minute", ENDED_BETWEEN, 500, random -> minute(anyTime.apply(random))));
    }

    private static Map<String, Object> minute(OffsetDateTime from) {
        return Map.of("from", from, "to", from.plusMinutes(1));
    }

    /**
     * A tenth of the runs first as warm-up (plans compiled, pages cached), then the measured runs, the same parameters both
     * phases. Each phase of a query stops early after {@link #PHASE_BUDGET} (with at least {@link #MIN_RUNS} runs): without
     * the indexes a query across all threads scans every version, about a second each at 1,000,000, and 500 of them would
     * take most of an hour. The report gives each phase's run count.
     */
    private static List<Measured> measure(Session session, List<Query> queries) {
        List<Measured> measured = new ArrayList<>();
        for (Query query : queries) {
            Random random = new Random(23);
            String plan = plan(session, query.statement(), query.parameters().apply(new Random(1)));
            long warmUpEnd = System.nanoTime() + PHASE_BUDGET.toNanos() / 3;
            for (int i = 0; i < Math.max(1, query.runs() / 10) && System.nanoTime() < warmUpEnd; i++) {
                session.run(query.statement(), query.parameters().apply(random)).consume();
            }
            long[] micros = new long[query.runs()];
            long rows = 0;
            int done = 0;
            long phaseEnd = System.nanoTime() + PHASE_BUDGET.toNanos();
            while (done < query.runs() && (done < MIN_RUNS || System.nanoTime() < phaseEnd)) {
                Map<String, Object> parameters = query.parameters().apply(random);
                long start = System.nanoTime();
                rows += session.run(query.statement(), parameters).list().size();
                micros[done++] = (System.nanoTime() - start) / 1_000;
            }
            measured.add(new Measured(query.name(), Percentiles.of(Arrays.copyOf(micros, done)), rows / done, plan));
        }
        return measured;
    }

    private static String plan(Session session, String statement, Map<String, Object> parameters) {
        List<String> operators = new ArrayList<>();
        collect(session.run("EXPLAIN " + statement, parameters).consume().plan(), operators);
        return String.join(" <- ", operators);
    }

    private static void collect(Plan plan, List<String> operators) {
        operators.add(plan.operatorType().replace("@neo4j", ""));
        plan.children().forEach(child -> collect(child, operators));
    }

    private static void print(long versions, int threads, Duration load, Duration indexing, List<Measured> without, List<Measured> with) {
        System.out.printf("%n## As-of queries over %,d INCLUDES versions%n%n", versions);
        System.out.println("Command: `" + System.getProperty("bench.command", "java -cp ... " + AsOfBenchmark.class.getName() + " " + versions) + "`");
        System.out.println();
        System.out.printf("Embedded Neo4j 5 on loopback; %s. %,d threads × %d content items (of %,d) × %d versions per pair, each version 1 s "
                        + "to 2 days long, the last open; loaded in %.1f s; the two relationship indexes built in %.1f s.%n%n",
                BenchEnvironment.describeJvm(), threads, ITEMS_PER_THREAD, CONTENT_ITEMS, VERSIONS_PER_PAIR, load.toMillis() / 1000.0,
                indexing.toMillis() / 1000.0);
        System.out.println("| query | runs without / with | rows per run | without indexes p50 / p99 (ms) | with indexes p50 / p99 (ms) |");
        System.out.println("|---|---:|---:|---:|---:|");
        Map<String, Measured> withByName = new LinkedHashMap<>();
        with.forEach(m -> withByName.put(m.name(), m));
        for (Measured before : without) {
            Measured after = withByName.get(before.name());
            System.out.printf("| %s | %,d / %,d | %,d | %s / %s | %s / %s |%n", before.name(), before.latency().count(), after.latency().count(),
                    after.rowsPerRun(),
                    Percentiles.ms(before.latency().p50()), Percentiles.ms(before.latency().p99()),
                    Percentiles.ms(after.latency().p50()), Percentiles.ms(after.latency().p99()));
        }
        System.out.println();
        System.out.println("Plans (EXPLAIN's operators, root first):");
        System.out.println();
        for (Measured before : without) {
            System.out.printf("* %s: without `%s`; with `%s`%n", before.name(), before.plan(), withByName.get(before.name()).plan());
        }
    }

    private static OffsetDateTime time(long seconds) {
        return BASE.plusSeconds(seconds).atOffset(ZoneOffset.UTC);
    }
}
