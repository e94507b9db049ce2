package io.nexussync.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.nexussync.bench.PeerStatements.PeerChange;
import io.nexussync.bench.PeerStatements.Statement;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgSettings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

/**
 * The pipeline users build today, which issue 15 asks nexus-sync to beat on a backlog: Debezium
 * embedded (its PostgreSQL connector on pgoutput, a slot of its own, the service's publication, no
 * snapshot, offsets in memory) handing each poll batch of Connect records to a {@link
 * DebeziumEngine.ChangeConsumer} that writes it as one Neo4j transaction ({@link PeerStatements})
 * and acknowledges the records once it has committed. No write-back, no checkpoint in Neo4j.
 */
final class DebeziumPeer {
    /** The peer as the report names it. */
    static final String NAME = "Debezium embedded 3.6.1 peer";
    /** What Debezium puts in place of an unchanged TOAST value it was not sent (its default placeholder). */
    static final String UNAVAILABLE = "__debezium_unavailable_value";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /**
     * How the drain went: the row changes and Neo4j transactions up to the end of the backlog, the time from engine
     * start to the commit of the last of them, and the part of it before the first batch arrived.
     */
    record Outcome(long changes, long transactions, long nanos, long startUpNanos) {}

    private final Driver driver;
    private final Mapping mapping;
    private final PeerStatements statements;
    private final Lsn end;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private long start;
    private long firstBatch;
    private long lastCommit;
    private long changes;
    private long transactions;

    private DebeziumPeer(Driver driver, Mapping mapping, Lsn end) {
        this.driver = driver;
        this.mapping = mapping;
        this.statements = new PeerStatements(mapping);
        this.end = end;
    }

    /**
     * Streams {@code settings}' slot (created before the backlog, never read), database and publication
     * into the graph until Debezium delivers the first record at or past {@code end}, the WAL position of the marker
     * written after the backlog: every record before it is a backlog change, none after it is (the stream is in
     * commit order, and the backlog committed before the marker).
     */
    static Outcome drain(PgSettings settings, Lsn end, Driver driver, Mapping mapping, Duration atMost) throws Exception {
        DebeziumPeer peer = new DebeziumPeer(driver, mapping, end);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "debezium-peer"));
        try (Session session = driver.session()) {
            DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(properties(settings, mapping))
                    .notifying((records, committer) -> peer.handleBatch(session, records, committer))
                    .using((success, message, error) -> {
                        // Past the end, the engine is being closed by us: Debezium 3.6.1 can reject its own last
                        // conversion task then (RejectedExecutionException from a pool shutting down), which is not the peer failing.
                        if (!success && peer.done.getCount() > 0) {
                            peer.failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
                        }
                        peer.done.countDown();
                    })
                    .build();
            try {
                peer.start = System.nanoTime();
                executor.execute(engine);
                if (!peer.done.await(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("the Debezium peer did not reach " + end + " within " + atMost
                            + " (" + peer.changes + " changes applied)");
                }
            } finally {
                engine.close();
                executor.shutdown();
                executor.awaitTermination(1, TimeUnit.MINUTES);
            }
        }
        if (peer.failure.get() != null) {
            throw new IllegalStateException("the Debezium peer failed: " + peer.failure.get().getMessage(), peer.failure.get());
        }
        return new Outcome(peer.changes, peer.transactions, peer.lastCommit - peer.start, peer.firstBatch - peer.start);
    }

    /** The connector's configuration; the engine's batching (max.batch.size, poll.interval.ms) keeps Debezium's defaults. */
    private static Properties properties(PgSettings settings, Mapping mapping) {
        URI url = URI.create(settings.url().substring("jdbc:".length()));
        Properties p = new Properties();
        p.setProperty("name", "nexus-sync-bench-peer");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("topic.prefix", "peer");
        p.setProperty("database.hostname", url.getHost());
        p.setProperty("database.port", String.valueOf(url.getPort()));
        p.setProperty("database.dbname", url.getPath().substring(1));
        p.setProperty("database.user", settings.user());
        p.setProperty("database.password", settings.password() == null ? "" : settings.password());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", settings.slot());
        p.setProperty("publication.name", settings.publication());
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", mapping.tables().stream().map(TableId::toString).collect(Collectors.joining(",")));
        // 3.6's "never": the tables' structure only, no rows; streaming starts where the existing slot stands, before the
        // backlog (the benchmark checks that the peer applies as many changes as a plain read of another such slot)
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("tombstones.on.delete", "false");
        return p;
    }

    private void handleBatch(Session session, List<RecordChangeEvent<SourceRecord>> records,
                             DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        if (firstBatch == 0) {
            firstBatch = System.nanoTime();
        }
        if (done.getCount() == 0) {
            return;
        }
        try {
            List<PeerChange> batch = new ArrayList<>(records.size());
            int used = 0;
            boolean reachedEnd = false;
            for (RecordChangeEvent<SourceRecord> event : records) {
                Struct value = (Struct) event.record().value();
                Struct source = value.getStruct("source");
                if (Lsn.of(source.getInt64("lsn")).compareTo(end) >= 0) {
                    reachedEnd = true;
                    break;
                }
                used++;
                PeerChange change = change(value);
                if (change != null) {
                    batch.add(change);
                }
            }
            if (!batch.isEmpty()) {
                List<Statement> plan = statements.plan(batch);
                session.executeWriteWithoutResult(tx -> plan.forEach(s -> tx.run(s.cypher(), Map.of("rows", s.rows())).consume()));
                lastCommit = System.nanoTime();
                changes += batch.size();
                transactions++;
            }
            for (RecordChangeEvent<SourceRecord> event : records.subList(0, used)) {
                committer.markProcessed(event);
            }
            committer.markBatchFinished();
            if (reachedEnd) {
                done.countDown();
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            done.countDown();
            throw e;
        }
    }

    /** One Debezium change event as the loader takes it; null for a record that is not a row change (a logical message). */
    static PeerChange change(Struct value) {
        String op = value.getString("op");
        if ("m".equals(op)) {
            return null;
        }
        Struct source = value.getStruct("source");
        TableId table = new TableId(source.getString("schema"), source.getString("table"));
        switch (op) {
            case "c", "u", "r":
                return new PeerChange(table, false, values(value.getStruct("after")), commitTime(source));
            case "d":
                return new PeerChange(table, true, values(value.getStruct("before")), commitTime(source));
            default:
                throw new IllegalStateException("the workload does not truncate, yet Debezium delivered op " + op + " on " + table);
        }
    }

    /** The transaction's commit time (Debezium's source.ts_us, microseconds since the epoch), as the history's validFrom. */
    private static OffsetDateTime commitTime(Struct source) {
        Long micros = source.schema().field("ts_us") != null ? source.getInt64("ts_us") : null;
        Instant instant = micros != null ? Instant.EPOCH.plus(micros, ChronoUnit.MICROS) : Instant.ofEpochMilli(source.getInt64("ts_ms"));
        return instant.atOffset(ZoneOffset.UTC);
    }

    /** A row image's columns as graph values, without the columns Debezium marks as unchanged TOAST (never written). */
    static Map<String, Object> values(Struct row) {
        Map<String, Object> values = new HashMap<>();
        for (Field field : row.schema().fields()) {
            Object value = row.get(field);
            if (!isUnavailable(value)) {
                values.put(field.name(), value(field.schema(), value));
            }
        }
        return values;
    }

    private static boolean isUnavailable(Object value) {
        return UNAVAILABLE.equals(value) || value instanceof List<?> list && list.size() == 1 && UNAVAILABLE.equals(list.get(0));
    }

    /** Debezium's default type mapping turned into what the contract stores: DATETIME, canonical JSON text, numbers, lists. */
    private static Object value(Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        String name = schema.name() == null ? "" : schema.name();
        switch (name) {
            case "io.debezium.time.ZonedTimestamp":
                return OffsetDateTime.parse((String) value);
            case "io.debezium.data.Json":
                return canonicalJson((String) value);
            default:
                break;
        }
        switch (schema.type()) {
            case INT8:
            case INT16:
            case INT32:
                return ((Number) value).longValue();
            case FLOAT32:
                // a real's decimal text, as PostgreSQL prints it, not the float's binary expansion
                return Double.parseDouble(value.toString());
            case ARRAY:
                List<Object> list = new ArrayList<>();
                for (Object element : (List<?>) value) {
                    list.add(value(schema.valueSchema(), element));
                }
                return list;
            default:
                return value;
        }
    }

    /** Compact, object keys sorted: the contract's form of a json column. */
    static String canonicalJson(String text) {
        try {
            return JSON.writeValueAsString(JSON.readValue(text, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Debezium delivered a json value that does not parse: " + text, e);
        }
    }
}
