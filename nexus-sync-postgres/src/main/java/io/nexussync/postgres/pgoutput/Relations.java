package io.nexussync.postgres.pgoutput;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The relation cache of one stream: Relation messages fill it, change messages look up in it. */
final class Relations {

    private final Map<Integer, RelationDescriptor> byId = new HashMap<>();

    void put(int id, RelationDescriptor relation) {
        byId.put(id, relation);
    }

    Optional<RelationDescriptor> find(int id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * pgoutput always sends a Relation before the first change that needs it, so a miss means the
     * stream or this decoder lost state; decoding on would attribute rows to the wrong table.
     */
    RelationDescriptor require(int id, PgOutputReader reader) {
        RelationDescriptor relation = byId.get(id);
        if (relation == null) {
            throw reader.fail("unknown relation id " + Integer.toUnsignedString(id)
                    + " (no Relation message for it was seen on this stream)");
        }
        return relation;
    }
}
