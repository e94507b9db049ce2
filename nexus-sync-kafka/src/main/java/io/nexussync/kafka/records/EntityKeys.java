package io.nexussync.kafka.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The record key of a change: the graph entity it writes, as a JSON array of strings (see {@link ChangeRecordCodec}).
 * JSON's string escaping makes it unambiguous whatever an identity holds, and the first element says which kind of
 * entity the rest names, so keys of different kinds never meet.
 */
final class EntityKeys {
    static final String TRUNCATE = "truncate";
    static final String NODE = "node";
    static final String RELATIONSHIP = "rel";
    static final String TABLE = "table";

    private final Mapping mapping;
    private final ObjectMapper json;

    EntityKeys(Mapping mapping, ObjectMapper json) {
        this.mapping = mapping;
        this.json = json;
    }

    /** The key, or null when the change touches no mapped table. */
    String keyOf(RowChange change) {
        if (change instanceof RowChange.Truncate truncate) {
            return truncate.tables().stream().anyMatch(this::mapped) ? TRUNCATE : null;
        }
        TableId table = RowChange.tableOf(change);
        Optional<NodeMapping> node = mapping.node(table);
        if (node.isPresent()) {
            NodeMapping n = node.get();
            String id = n.identity(entityImage(change, n::identity));
            return id == null ? tableKey(table) : key(NODE, n.label(), id);
        }
        Optional<RelationshipMapping> relationship = mapping.relationship(table);
        if (relationship.isPresent()) {
            RelationshipMapping r = relationship.get();
            Map<String, Object> image = entityImage(change, r::pairKey);
            String fromId = r.from().identity(image);
            String toId = r.to().identity(image);
            return fromId == null || toId == null ? tableKey(table) : key(RELATIONSHIP, r.type(), r.from().label(), fromId, r.to().label(), toId);
        }
        return null;
    }

    private boolean mapped(TableId table) {
        return mapping.node(table).isPresent() || mapping.relationship(table).isPresent();
    }

    /**
     * The image the planner finds the entity by: an INSERT's and an UPDATE's new one (a key-changing UPDATE writes the
     * new identity, deleting the old one in passing), a DELETE's old key. An UPDATE whose new image lacks the entity
     * ({@code entityOf} gives null) falls back to its old key, where it has one.
     */
    private static Map<String, Object> entityImage(RowChange change, Function<Map<String, Object>, String> entityOf) {
        if (change instanceof RowChange.Insert insert) {
            return insert.newValues();
        } else if (change instanceof RowChange.Update update) {
            return update.oldKey() == null || entityOf.apply(update.newValues()) != null ? update.newValues() : update.oldKey();
        } else if (change instanceof RowChange.Delete delete) {
            return delete.oldKey();
        }
        throw RowChange.unhandled(change);
    }

    /**
     * A row that names no entity (a key column null, or an end of a pair null or absent): the planner writes nothing for it
     * or refuses it, so any key would do; the table's keeps such rows in their order.
     */
    private String tableKey(TableId table) {
        return key(TABLE, table.schema(), table.name());
    }

    private String key(String... parts) {
        try {
            return json.writeValueAsString(Arrays.asList(parts));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON array of strings always serialises", e);
        }
    }
}
