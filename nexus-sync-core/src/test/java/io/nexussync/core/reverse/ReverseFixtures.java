package io.nexussync.core.reverse;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.TableId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The contract's tables as reverse sync sees them: their columns (as PostgreSQL's catalog lists them) and rows. */
final class ReverseFixtures {
    static final TableId CONTENT = TableId.parse("public.content_items");
    static final TableId MESSAGES = TableId.parse("public.messages");
    static final TableId THREAD_CONTENT = TableId.parse("public.thread_content");
    static final TableId CONTENT_TAGS = TableId.parse("public.content_tags");
    static final Instant EARLY = Instant.parse("2026-12-01T10:00:00Z");
    static final Instant LATE = Instant.parse("2026-12-01T11:00:00Z");

    static final Map<TableId, List<String>> COLUMNS = Map.of(
            CONTENT, List.of("id", "tenant_id", "project_id", "title", "body", "content_type", "metadata", "access_level", "view_count",
                    "created_by", "created_at", "updated_at", "neo4j_node_id", "pg_version", "neo4j_version"),
            TableId.parse("public.threads"), List.of("id", "tenant_id", "project_id", "title", "status", "created_by", "created_at",
                    "updated_at", "neo4j_node_id", "pg_version", "neo4j_version"),
            MESSAGES, List.of("id", "thread_id", "tenant_id", "role", "body", "token_count", "created_at", "updated_at", "neo4j_node_id",
                    "pg_version", "neo4j_version"),
            TableId.parse("public.tags"), List.of("id", "tenant_id", "name", "created_at", "neo4j_node_id", "pg_version", "neo4j_version"),
            THREAD_CONTENT, List.of("thread_id", "content_id", "relevance_score", "position", "added_at", "pg_version"),
            CONTENT_TAGS, List.of("content_id", "tag_id", "weight", "created_at", "pg_version"));

    private ReverseFixtures() {}

    static ReverseCatalog catalog(Mapping mapping) {
        return ReverseCatalog.of(mapping, COLUMNS::get);
    }

    static ReverseCatalog builtIn() {
        return catalog(MappingLoader.builtIn());
    }

    /** The built-in mapping with {@code extra} (YAML lines) added to the content_items entry. */
    static Mapping contentWith(String extra) {
        String yaml = "nodes:\n"
                + "  - table: public.content_items\n    label: ContentItem\n    key: id\n    version: pg_version\n"
                + "    graphVersion: neo4j_version\n    crossReference: neo4j_node_id\n    pgOnly: [body, created_by]\n"
                + "    graphOnly: [relevanceWeight]\n" + extra
                + "  - table: public.tags\n    label: Tag\n    key: id\n    version: pg_version\n    graphVersion: neo4j_version\n"
                + "    crossReference: neo4j_node_id\n"
                + "relationships:\n"
                + "  - table: public.content_tags\n    type: TAGGED_WITH\n    from: {label: ContentItem, column: content_id}\n"
                + "    to: {label: Tag, column: tag_id}\n    version: pg_version\n    versionProperty: pgVersion\n";
        return MappingLoader.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test");
    }

    static String uuid(int n) {
        return String.format("00000000-0000-0000-0000-%012d", n);
    }

    static Map<String, Object> contentRow(int n, String title, String accessLevel) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", uuid(n));
        row.put("tenant_id", uuid(900));
        row.put("project_id", uuid(901));
        row.put("title", title);
        row.put("body", "a body only PostgreSQL keeps");
        row.put("content_type", "document");
        row.put("metadata", new JsonText("{}"));
        row.put("access_level", accessLevel);
        row.put("view_count", 3L);
        row.put("created_by", uuid(902));
        row.put("created_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.ofHours(2)));
        row.put("updated_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.ofHours(2)));
        row.put("neo4j_node_id", "4:abc:" + n);
        row.put("pg_version", 4L);
        row.put("neo4j_version", 2L);
        return row;
    }

    static RowState contentState(int n, String title, String accessLevel, long pgVersion, long graphVersion, Instant committed) {
        Map<String, Object> row = contentRow(n, title, accessLevel);
        row.put("pg_version", pgVersion);
        row.put("neo4j_version", graphVersion);
        return new RowState(row, pgVersion, graphVersion, committed);
    }

    static Map<String, Object> includesRow(int thread, int content, double relevance, int position, long version) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("thread_id", uuid(thread));
        row.put("content_id", uuid(content));
        row.put("relevance_score", relevance);
        row.put("position", position);
        row.put("added_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC));
        row.put("pg_version", version);
        return row;
    }

    static Map<String, Object> taggedRow(int content, int tag, float weight, long version) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("content_id", uuid(content));
        row.put("tag_id", uuid(tag));
        row.put("weight", weight);
        row.put("created_at", OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC));
        row.put("pg_version", version);
        return row;
    }
}
