package io.nexussync.core.verify;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.TableId;
import java.util.ArrayList;
import java.util.List;

/**
 * What verify compares, one at a time: a mapped table as nodes (with the foreign-key relationships its rows
 * imply), or a join table as relationships. Keys are strings in one order on both sides: a node's identity
 * ({@link io.nexussync.core.mapping.NodeIdentity}), a relationship's {@link EntityKeys#pair pair}.
 */
public sealed interface Subject {

    TableId table();

    /** The label or relationship type, as the graph names it. */
    String graphName();

    /** Exhaustive dispatch (Java 17 has no pattern switch): a new kind of subject does not compile until every caller handles it. */
    <T> T match(java.util.function.Function<Nodes, T> nodes, java.util.function.Function<Relationships, T> relationships);

    record Nodes(NodeMapping mapping) implements Subject {
        @Override
        public TableId table() {
            return mapping.table();
        }

        @Override
        public String graphName() {
            return mapping.label();
        }

        @Override
        public <T> T match(java.util.function.Function<Nodes, T> nodes, java.util.function.Function<Relationships, T> relationships) {
            return nodes.apply(this);
        }
    }

    record Relationships(RelationshipMapping mapping) implements Subject {
        @Override
        public TableId table() {
            return mapping.table();
        }

        @Override
        public String graphName() {
            return mapping.type();
        }

        @Override
        public <T> T match(java.util.function.Function<Nodes, T> nodes, java.util.function.Function<Relationships, T> relationships) {
            return relationships.apply(this);
        }
    }

    /** Every mapped table, node tables first; {@code table} null for all, else only that one. */
    static List<Subject> of(Mapping mapping, TableId table) {
        List<Subject> subjects = new ArrayList<>();
        for (NodeMapping node : mapping.nodes()) {
            if (table == null || node.table().equals(table)) {
                subjects.add(new Nodes(node));
            }
        }
        for (RelationshipMapping relationship : mapping.relationships()) {
            if (table == null || relationship.table().equals(table)) {
                subjects.add(new Relationships(relationship));
            }
        }
        return List.copyOf(subjects);
    }
}
