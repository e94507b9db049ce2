package io.nexussync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.plan.GraphPlanner;
import io.nexussync.core.plan.GraphWritePlan;
import io.nexussync.embedded.EmbeddedPostgresServer;
import io.nexussync.kafka.debezium.ColumnTypes;
import io.nexussync.kafka.debezium.DebeziumChangeDecoder;
import io.nexussync.kafka.debezium.DebeziumSettings;
import io.nexussync.kafka.debezium.DebeziumSource;
import io.nexussync.kafka.debezium.DecodedRecord;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.catalog.Catalog;
import io.nexussync.postgres.catalog.CatalogReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18's proof for the Debezium format: one workload on embedded PostgreSQL is read twice, by nexus-sync's own
 * pgoutput path (a slot of its own, the product's decoder) and by Debezium embedded 3.6.1 (its PostgreSQL connector on
 * pgoutput, a second slot), whose records are written as Kafka Connect's JsonConverter writes them to a topic, with
 * schemas and without. Decoded by {@link DebeziumChangeDecoder}, Debezium's events must give the very row changes the
 * pgoutput path gives (TOAST left unchanged, jsonb, uuid, timestamptz, bigint, bytea, arrays, numeric, deletes,
 * truncate, REPLICA IDENTITY FULL), and so the very graph plan for the contract mapping.
 *
 * <p>The captured records are also written to {@code target/debezium-events/} (each record's topic, key and value as
 * JsonConverter wrote them, one per line; the catalog's column types; the pgoutput path's changes in the form the
 * tests compare): nexus-sync-kafka's {@code src/test/resources/debezium/} are a copy made by this test.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DebeziumDecoderEquivalenceIT {
    private static final String PUBLICATION = "dbz_equivalence";
    private static final String PG_SLOT = "nexus_equivalence";
    private static final String DEBEZIUM_SLOT = "debezium_equivalence";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedPostgresServer postgres;
    private static List<RowChange> pgoutput;
    private static List<SourceRecord> debezium;
    private static Catalog catalog;

    @BeforeAll
    static void captureOneWorkloadBothWays() throws Exception {
        postgres = EmbeddedPostgresServer.startLogical();
        PgSettings settings = new PgSettings(postgres.jdbcUrl(), EmbeddedPostgresServer.USER, null, PG_SLOT, PUBLICATION,
                PgSettings.DEFAULT_SOCKET_TIMEOUT);
        try (Connection c = PgConnections.open(settings, "test"); Statement s = c.createStatement()) {
            s.execute(resource("/db/contextnexus/V1__contextnexus_schema.sql"));
            s.execute("""
                    CREATE TABLE public.debezium_types (
                        id int4 PRIMARY KEY, small int2, big int8, flag bool, ratio real, score float8,
                        price numeric(12,2), amount numeric, label varchar(20), code char(3), born date,
                        at_local timestamp, at_local_ms timestamp(3), at_tz timestamptz, at_tz0 timestamptz(0),
                        clock time, clock_ms time(3), doc json, docb jsonb, raw bytea, tags text[], counts int4[],
                        ids uuid[], uid uuid, big_raw bytea, big_tags text[])""");
            s.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE public.content_items, public.threads, "
                    + "public.thread_content, public.debezium_types");
            s.execute("SELECT pg_create_logical_replication_slot('" + PG_SLOT + "', 'pgoutput')");
            s.execute("SELECT pg_create_logical_replication_slot('" + DEBEZIUM_SLOT + "', 'pgoutput')");
            workload(s);
            catalog = CatalogReader.read(c, List.of("public"));
        }
        pgoutput = WalReader.readUntilMarker(settings);
        debezium = readWithDebezium(settings);
        writeFixtures();
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static void workload(Statement s) throws SQLException {
        String thread = "'7c5e4b8a-0000-4000-8000-00000000000a'";
        String content = "'7C5E4B8A-0000-4000-8000-0000000000C1'"; // upper case in, lower case in the graph
        String other = "'7c5e4b8a-0000-4000-8000-0000000000c2'";
        String tenant = "'7c5e4b8a-0000-4000-8000-0000000000f0'";
        // random hex does not compress: the body is stored out of line, and an update that leaves it is sent without it
        String big = "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 250))";
        s.execute("INSERT INTO public.threads (id, tenant_id, project_id, title, created_at) VALUES (" + thread + ", " + tenant
                + ", " + tenant + ", 'first thread', '2026-12-07 09:00:00.123456+02')");
        s.execute("INSERT INTO public.content_items (id, tenant_id, project_id, title, body, metadata, view_count, created_at) VALUES ("
                + content + ", " + tenant + ", " + tenant + ", 'big', " + big + ", '{\"b\": [1, 2.50, {\"z\": null, \"a\": true}], \"a\": \"x\"}', "
                + "9007199254740993, '2026-12-07 10:11:12.5+00')");
        s.execute("INSERT INTO public.content_items (id, tenant_id, project_id, title, body) VALUES (" + other + ", " + tenant
                + ", " + tenant + ", 'small', NULL)");
        s.execute("INSERT INTO public.thread_content (thread_id, content_id, relevance_score, position) VALUES ("
                + thread + ", " + content + ", 0.75, 1)");
        s.execute("UPDATE public.content_items SET title = 'big, renamed', view_count = view_count + 1 WHERE id = " + content);
        s.execute("UPDATE public.content_items SET body = " + big + " WHERE id = " + content);
        s.execute("UPDATE public.thread_content SET position = 2 WHERE content_id = " + content);
        s.execute("DELETE FROM public.thread_content WHERE content_id = " + content);
        s.execute("DELETE FROM public.content_items WHERE id = " + other);
        s.execute("INSERT INTO public.thread_content (thread_id, content_id, relevance_score, position) VALUES ("
                + thread + ", " + content + ", 0.5, 3)");
        s.execute("TRUNCATE public.thread_content");
        s.execute("ALTER TABLE public.threads REPLICA IDENTITY FULL");
        s.execute("UPDATE public.threads SET title = 'renamed thread' WHERE id = " + thread);
        s.execute("INSERT INTO public.debezium_types VALUES (1, -32768, -9223372036854775808, true, 1.1, 2.718281828459045, "
                + "12.50, 123456789.0123456789, 'label', 'ab', '1999-12-31', '2026-12-07 09:05:58.123456', "
                + "'2026-12-07 09:05:58.123', '2026-12-07 09:05:58.654321-05:30', '2026-12-07 09:05:58+00', '23:59:59.999999', "
                + "'12:34:56.789', '{\"k\": 1.0, \"a\": [ ]}', '{\"k\": 1.0, \"a\": []}', '\\x00ff10', '{a,\"b c\",NULL}', '{1,NULL,-3}', "
                + "'{7c5e4b8a-0000-4000-8000-0000000000c1}', '7C5E4B8A-0000-4000-8000-00000000000A', "
                + "decode((SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 250)), 'hex'), "
                + "(SELECT array_agg(md5(random()::text)) FROM generate_series(1, 250)))");
        s.execute("INSERT INTO public.debezium_types (id) VALUES (2)");
        s.execute("UPDATE public.debezium_types SET small = 7 WHERE id = 1");
        s.execute("DELETE FROM public.debezium_types WHERE id = 2");
        s.execute("DELETE FROM public.threads WHERE id = " + thread);
        s.execute("SELECT pg_logical_emit_message(true, '" + CatchUpWait.MARKER_PREFIX + "', 'end')");
    }

    /** Debezium embedded on its own slot until the marker message, every record as the connector gives it. */
    private static List<SourceRecord> readWithDebezium(PgSettings settings) throws Exception {
        URI url = URI.create(settings.url().substring("jdbc:".length()));
        Properties p = new Properties();
        p.setProperty("name", "nexus-sync-debezium-equivalence");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("topic.prefix", "dbz");
        p.setProperty("database.hostname", url.getHost());
        p.setProperty("database.port", String.valueOf(url.getPort()));
        p.setProperty("database.dbname", url.getPath().substring(1));
        p.setProperty("database.user", settings.user());
        p.setProperty("database.password", "");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", DEBEZIUM_SLOT);
        p.setProperty("publication.name", PUBLICATION);
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("skipped.operations", "none"); // Debezium skips truncates unless told otherwise
        p.setProperty("tombstones.on.delete", "true");
        List<SourceRecord> records = new CopyOnWriteArrayList<>();
        CountDownLatch marker = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "debezium-equivalence"));
        try (DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(p)
                .notifying(event -> {
                    SourceRecord record = event.record();
                    records.add(record);
                    if (record.value() instanceof Struct value && value.schema().field("op") != null && "m".equals(value.getString("op"))
                            && CatchUpWait.MARKER_PREFIX.equals(value.getStruct("message").getString("prefix"))) {
                        marker.countDown();
                    }
                })
                .build()) {
            executor.execute(engine);
            assertThat(marker.await(3, TimeUnit.MINUTES)).as("Debezium reached the marker").isTrue();
        } finally {
            executor.shutdown();
            executor.awaitTermination(1, TimeUnit.MINUTES);
        }
        return List.copyOf(records);
    }

    /** A record's key and value as a JsonConverter with {@code schemas.enable} writes them to a topic. */
    private record KafkaRecord(String topic, String key, String value) {}

    private static List<KafkaRecord> asKafkaRecords(boolean schemas) {
        JsonConverter keys = new JsonConverter();
        keys.configure(Map.of("schemas.enable", schemas), true);
        JsonConverter values = new JsonConverter();
        values.configure(Map.of("schemas.enable", schemas), false);
        List<KafkaRecord> out = new ArrayList<>();
        for (SourceRecord r : debezium) {
            byte[] key = keys.fromConnectData(r.topic(), r.keySchema(), r.key());
            byte[] value = values.fromConnectData(r.topic(), r.valueSchema(), r.value());
            out.add(new KafkaRecord(r.topic(), key == null ? null : new String(key, StandardCharsets.UTF_8),
                    value == null ? null : new String(value, StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static ColumnTypes catalogTypes() {
        return (table, column) -> catalog.table(table).flatMap(t -> t.column(column)).map(Catalog.Column::displayType);
    }

    @Test
    void shouldDecodeDebeziumEventsWithSchemasToThePgoutputPathsRowChanges() {
        List<DecodedRecord> decoded = decodeAll(asKafkaRecords(true), DebeziumChangeDecoder.withSchemas());

        assertSameChanges(changes(decoded));
        assertThat(decoded).filteredOn(DecodedRecord.Skipped.class::isInstance).extracting(d -> ((DecodedRecord.Skipped) d).reason())
                .anyMatch(reason -> reason.startsWith("tombstone")).anyMatch(reason -> reason.startsWith("logical decoding message"));
    }

    @Test
    void shouldDecodeDebeziumEventsWithoutSchemasByTheCatalogsTypesToThePgoutputPathsRowChanges() {
        List<DecodedRecord> decoded = decodeAll(asKafkaRecords(false), new DebeziumChangeDecoder(DebeziumSettings.defaults(), catalogTypes()));

        assertSameChanges(changes(decoded));
    }

    /**
     * The one difference on purpose: a delete under REPLICA IDENTITY FULL (threads here) carries the whole old row in
     * pgoutput and only the key from Debezium, whose {@code before} of a delete holds stand-ins under the default
     * identity that cannot be told from a real old row. The planner deletes by key, which the plan test shows.
     */
    private static void assertSameChanges(List<RowChange> decoded) {
        List<String> want = comparable(pgoutput.stream().map(DebeziumDecoderEquivalenceIT::keyOnlyDelete).toList());
        List<String> got = comparable(decoded);
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            assertThat(got.get(i)).as("change #%d", i).isEqualTo(want.get(i));
        }
        assertThat(got).hasSameSizeAs(want);
    }

    @Test
    void shouldLeaveTheUnchangedToastedBodyUnchangedWhereThePgoutputPathDoes() {
        List<RowChange> decoded = changes(decodeAll(asKafkaRecords(true), DebeziumChangeDecoder.withSchemas()));
        TableId content = new TableId("public", "content_items");
        RowChange.Update renamed = decoded.stream().filter(RowChange.Update.class::isInstance).map(RowChange.Update.class::cast)
                .filter(u -> u.table().equals(content) && "big, renamed".equals(u.newValues().get("title"))
                        && u.newValues().get("body") == Unchanged.TOAST).findFirst().orElseThrow();
        assertThat(renamed.newValues().get("view_count")).isEqualTo(9007199254740994L);
        RowChange.Update types = decoded.stream().filter(RowChange.Update.class::isInstance).map(RowChange.Update.class::cast)
                .filter(u -> u.table().name().equals("debezium_types")).findFirst().orElseThrow();
        assertThat(types.newValues().get("big_raw")).isSameAs(Unchanged.TOAST);
        assertThat(types.newValues().get("big_tags")).isSameAs(Unchanged.TOAST);
    }

    @Test
    void shouldGiveTheSameGraphPlanForTheContractMappingAsThePgoutputPath() {
        Mapping mapping = MappingLoader.builtIn();
        GraphPlanner planner = new GraphPlanner(mapping);
        List<DecodedRecord> decoded = decodeAll(asKafkaRecords(true), DebeziumChangeDecoder.withSchemas());
        List<SourceChange> fromDebezium = new ArrayList<>();
        List<SourceChange> fromPgoutput = new ArrayList<>();
        int i = 0;
        for (DecodedRecord record : decoded) {
            if (record instanceof DecodedRecord.Change change) {
                RowChange pg = pgoutput.get(i++);
                if (!mapped(mapping, change.change())) {
                    continue;
                }
                DebeziumSource source = change.source();
                // the commit time both paths date a change by is Debezium's; the pgoutput reader here keeps only changes
                fromDebezium.add(new SourceChange(change.change(), source.lsn(), source.commitTime()));
                fromPgoutput.add(new SourceChange(pg, source.lsn(), source.commitTime()));
            }
        }
        assertThat(fromDebezium).hasSizeGreaterThan(10);
        GraphWritePlan debeziumPlan = planner.plan(fromDebezium);
        GraphWritePlan pgoutputPlan = planner.plan(fromPgoutput);
        assertThat(debeziumPlan.steps()).isNotEmpty();
        assertThat(debeziumPlan).isEqualTo(pgoutputPlan);
        // one change a batch too: in one batch a later update's body hides what an earlier one did with it
        for (int c = 0; c < fromDebezium.size(); c++) {
            assertThat(planner.plan(List.of(fromDebezium.get(c)))).as("plan of change #%d alone", c)
                    .isEqualTo(planner.plan(List.of(fromPgoutput.get(c))));
        }
    }

    private static RowChange keyOnlyDelete(RowChange change) {
        if (change instanceof RowChange.Delete d) {
            List<String> key = catalog.table(d.table()).orElseThrow().primaryKey();
            Map<String, Object> oldKey = new LinkedHashMap<>();
            key.forEach(column -> oldKey.put(column, d.oldKey().get(column)));
            return new RowChange.Delete(d.table(), oldKey);
        }
        return change;
    }

    private static boolean mapped(Mapping mapping, RowChange change) {
        if (change instanceof RowChange.Truncate t) {
            return t.tables().stream().allMatch(mapping.tables()::contains);
        }
        return mapping.tables().contains(RowChange.tableOf(change));
    }

    private static List<DecodedRecord> decodeAll(List<KafkaRecord> records, DebeziumChangeDecoder decoder) {
        return records.stream().map(r -> decoder.decode(r.key(), r.value())).toList();
    }

    private static List<RowChange> changes(List<DecodedRecord> decoded) {
        return decoded.stream().filter(DecodedRecord.Change.class::isInstance).map(d -> ((DecodedRecord.Change) d).change()).toList();
    }

    /** byte[] compares by identity in a record's equals: the same changes with bytes as hex. */
    private static List<String> comparable(List<RowChange> changes) {
        return changes.stream().map(DebeziumDecoderEquivalenceIT::comparable).toList();
    }

    private static String comparable(RowChange c) {
        if (c instanceof RowChange.Insert i) {
            return "insert " + i.table() + " " + hex(i.newValues());
        } else if (c instanceof RowChange.Update u) {
            return "update " + u.table() + " " + hex(u.oldKey()) + " " + hex(u.newValues());
        } else if (c instanceof RowChange.Delete d) {
            return "delete " + d.table() + " " + hex(d.oldKey());
        } else if (c instanceof RowChange.Truncate t) {
            return "truncate " + t.tables() + " " + t.cascade() + " " + t.restartIdentity();
        }
        throw RowChange.unhandled(c);
    }

    private static String hex(Map<String, Object> row) {
        if (row == null) {
            return "null";
        }
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> out.put(k, v instanceof byte[] b ? "bytes:" + HexFormat.of().formatHex(b)
                : v == null ? "NULL" : v.getClass().getSimpleName() + ":" + v));
        return out.toString();
    }

    private static void writeFixtures() throws IOException {
        Path dir = Path.of("target", "debezium-events");
        Files.createDirectories(dir);
        for (boolean schemas : new boolean[] {true, false}) {
            StringBuilder lines = new StringBuilder();
            for (KafkaRecord r : asKafkaRecords(schemas)) {
                ObjectNode line = JSON.createObjectNode();
                line.put("topic", r.topic());
                line.put("key", r.key());
                line.put("value", r.value());
                lines.append(JSON.writeValueAsString(line)).append('\n');
            }
            Files.writeString(dir.resolve(schemas ? "with-schemas.jsonl" : "without-schemas.jsonl"), lines);
        }
        StringBuilder types = new StringBuilder();
        for (Catalog.Table table : catalog.tables().values()) {
            for (Catalog.Column column : table.columns()) {
                types.append(table.id()).append('\t').append(column.name()).append('\t').append(column.displayType()).append('\n');
            }
        }
        Files.writeString(dir.resolve("column-types.tsv"), types);
        // as the decoder must give them: deletes by key (see assertSameChanges)
        Files.writeString(dir.resolve("pgoutput-changes.txt"),
                String.join("\n", comparable(pgoutput.stream().map(DebeziumDecoderEquivalenceIT::keyOnlyDelete).toList())) + "\n");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DebeziumDecoderEquivalenceIT.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
