package io.nexussync.bench.jmh;

import io.nexussync.testkit.pgoutput.PgOutputMessages;
import io.nexussync.testkit.pgoutput.PgOutputMessages.Column;
import io.nexussync.testkit.pgoutput.PgOutputMessages.Tuple;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The contract's six tables as pgoutput describes them (shared/contract/schema.md, the columns in
 * the order of the setup's DDL), and their rows as text values the way PostgreSQL prints them:
 * lower-case uuids, {@code 2026-11-24 21:21:01.123456+00} timestamps, jsonb with PostgreSQL's spacing.
 */
final class ContextNexusWire {
    static final int BOOL = 16, INT8 = 20, INT4 = 23, TEXT = 25, JSONB = 3802, FLOAT4 = 700, FLOAT8 = 701, TIMESTAMPTZ = 1184, UUID_OID = 2950;

    static final int CONTENT_ITEMS = 16_401, THREADS = 16_402, MESSAGES = 16_403, TAGS = 16_404, THREAD_CONTENT = 16_405, CONTENT_TAGS = 16_406;

    static final List<Column> CONTENT_ITEM_COLUMNS = List.of(
            new Column("id", UUID_OID, true), new Column("tenant_id", UUID_OID, false), new Column("project_id", UUID_OID, false),
            new Column("title", TEXT, false), new Column("body", TEXT, false), new Column("content_type", TEXT, false),
            new Column("metadata", JSONB, false), new Column("access_level", TEXT, false), new Column("view_count", INT8, false),
            new Column("created_by", UUID_OID, false), new Column("created_at", TIMESTAMPTZ, false), new Column("updated_at", TIMESTAMPTZ, false),
            new Column("neo4j_node_id", TEXT, false), new Column("pg_version", INT8, false), new Column("neo4j_version", INT8, false));
    static final List<Column> THREAD_COLUMNS = List.of(
            new Column("id", UUID_OID, true), new Column("tenant_id", UUID_OID, false), new Column("project_id", UUID_OID, false),
            new Column("title", TEXT, false), new Column("status", TEXT, false), new Column("created_by", UUID_OID, false),
            new Column("created_at", TIMESTAMPTZ, false), new Column("updated_at", TIMESTAMPTZ, false),
            new Column("neo4j_node_id", TEXT, false), new Column("pg_version", INT8, false), new Column("neo4j_version", INT8, false));
    static final List<Column> MESSAGE_COLUMNS = List.of(
            new Column("id", UUID_OID, true), new Column("thread_id", UUID_OID, false), new Column("tenant_id", UUID_OID, false),
            new Column("role", TEXT, false), new Column("body", TEXT, false), new Column("token_count", INT4, false),
            new Column("created_at", TIMESTAMPTZ, false), new Column("updated_at", TIMESTAMPTZ, false),
            new Column("neo4j_node_id", TEXT, false), new Column("pg_version", INT8, false), new Column("neo4j_version", INT8, false));
    static final List<Column> TAG_COLUMNS = List.of(
            new Column("id", UUID_OID, true), new Column("tenant_id", UUID_OID, false), new Column("name", TEXT, false),
            new Column("created_at", TIMESTAMPTZ, false), new Column("neo4j_node_id", TEXT, false),
            new Column("pg_version", INT8, false), new Column("neo4j_version", INT8, false));
    static final List<Column> THREAD_CONTENT_COLUMNS = List.of(
            new Column("thread_id", UUID_OID, true), new Column("content_id", UUID_OID, true), new Column("relevance_score", FLOAT8, false),
            new Column("position", INT4, false), new Column("added_at", TIMESTAMPTZ, false), new Column("pg_version", INT8, false));
    static final List<Column> CONTENT_TAG_COLUMNS = List.of(
            new Column("content_id", UUID_OID, true), new Column("tag_id", UUID_OID, true), new Column("weight", FLOAT4, false),
            new Column("created_at", TIMESTAMPTZ, false), new Column("pg_version", INT8, false));

    private static final String[] ACCESS = {"private", "project", "tenant", "public"};
    private static final String[] ROLES = {"user", "assistant", "system"};
    private static final DateTimeFormatter PG_TIMESTAMPTZ = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSx").withZone(ZoneOffset.UTC);
    static final String TENANT = new UUID(0x7e, 1).toString();
    static final String PROJECT = new UUID(0x7e, 2).toString();

    private ContextNexusWire() {}

    /** The Relation message of every mapped table, as a stream starts with (before each table's first change). */
    static List<ByteBuffer> relations() {
        return List.of(
                relation(CONTENT_ITEMS, "content_items", CONTENT_ITEM_COLUMNS),
                relation(THREADS, "threads", THREAD_COLUMNS),
                relation(MESSAGES, "messages", MESSAGE_COLUMNS),
                relation(TAGS, "tags", TAG_COLUMNS),
                relation(THREAD_CONTENT, "thread_content", THREAD_CONTENT_COLUMNS),
                relation(CONTENT_TAGS, "content_tags", CONTENT_TAG_COLUMNS));
    }

    /** A table's Relation message under replica identity 'd' (the default: the primary key). */
    static ByteBuffer relation(int id, String table, List<Column> columns) {
        return PgOutputMessages.relation(id, "public", table, 'd').columns(columns).build();
    }

    static String timestamp(Instant at) {
        return PG_TIMESTAMPTZ.format(at);
    }

    static String uuid(Random random) {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    /**
     * A content_items row image as an insert or an update sends it.
     *
     * @param bodyUnchanged the body is a TOASTed value the update did not touch ('u' on the wire)
     */
    static Tuple contentItem(String id, long version, Instant at, Random random, boolean bodyUnchanged) {
        Tuple row = new Tuple().text(id).text(TENANT).text(PROJECT)
                .text("Document " + random.nextInt(1_000_000));
        if (bodyUnchanged) {
            row.unchangedToast();
        } else {
            row.text("body text " + Long.toHexString(random.nextLong()) + " " + "lorem ipsum dolor sit amet ".repeat(8));
        }
        return row.text(random.nextBoolean() ? "document" : "note")
                .text("{\"rev\": " + random.nextInt(100) + ", \"lang\": \"en\", \"tags\": [\"a\", \"b\"], \"source\": \"demo\"}")
                .text(ACCESS[random.nextInt(ACCESS.length)])
                .text(Long.toString(random.nextInt(10_000)))
                .text(uuid(random))
                .text(timestamp(at.minusSeconds(3_600)))
                .text(timestamp(at))
                .text(version > 1 ? "4:" + id + ":" + random.nextInt(1_000) : null)
                .text(Long.toString(version))
                .text("0");
    }

    static Tuple thread(String id, long version, Instant at, Random random) {
        return new Tuple().text(id).text(TENANT).text(PROJECT).text("Thread " + random.nextInt(1_000_000))
                .text(random.nextBoolean() ? "open" : "archived").text(uuid(random))
                .text(timestamp(at.minusSeconds(600))).text(timestamp(at)).nul().text(Long.toString(version)).text("0");
    }

    static Tuple message(String id, String threadId, long version, Instant at, Random random) {
        return new Tuple().text(id).text(threadId).text(TENANT).text(ROLES[random.nextInt(ROLES.length)])
                .text("message " + Long.toHexString(random.nextLong())).text(Integer.toString(random.nextInt(4_000)))
                .text(timestamp(at.minusSeconds(60))).text(timestamp(at)).nul().text(Long.toString(version)).text("0");
    }

    static Tuple tag(String id, Instant at, Random random) {
        return new Tuple().text(id).text(TENANT).text("tag-" + Integer.toHexString(random.nextInt())).text(timestamp(at)).nul().text("1").text("0");
    }

    static Tuple threadContent(String threadId, String contentId, long version, Instant at, Random random) {
        return new Tuple().text(threadId).text(contentId).text(Double.toString(random.nextInt(1_000) / 1000.0))
                .text(Integer.toString(random.nextInt(50))).text(timestamp(at)).text(Long.toString(version));
    }

    static Tuple contentTag(String contentId, String tagId, Instant at, Random random) {
        return new Tuple().text(contentId).text(tagId).text(Float.toString(random.nextInt(100) / 10.0f)).text(timestamp(at)).text("1");
    }

    /** The old key of a delete: the key columns' values, placeholder nulls for the rest. */
    static Tuple key(List<Column> columns, String... keyValues) {
        Tuple key = new Tuple();
        int k = 0;
        for (Column c : columns) {
            if (c.key()) {
                key.text(keyValues[k++]);
            } else {
                key.nul();
            }
        }
        return key;
    }
}
