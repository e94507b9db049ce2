package io.nexussync.core.verify;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.plan.GraphPlanner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the graph must hold for a row, by the mapping, in the planner's own words ({@link GraphPlanner#nodeProperties}):
 * a refresh of this row would write exactly these properties, so verify and the writer cannot disagree on a rule.
 */
final class ExpectedImages {
    private ExpectedImages() {}

    /** @param crossReference whether the row's cross-reference column is part of the image (false: it holds another graph's elementId) */
    static EntityImage of(Subject subject, Map<String, Object> row, boolean crossReference) {
        return subject.match(nodes -> node(nodes.mapping(), row, crossReference), relationships -> relationship(relationships.mapping(), row));
    }

    static EntityImage node(NodeMapping mapping, Map<String, Object> row, boolean crossReference) {
        String key = mapping.identity(row);
        Map<String, String> facets = new HashMap<>();
        mappedProperties(() -> GraphPlanner.nodeProperties(mapping, row), facets);
        if (crossReference && mapping.crossReferenceColumn() != null && row.get(mapping.crossReferenceColumn()) instanceof String xref) {
            facets.put(EntityImage.CROSS_REFERENCE, xref);
        }
        List<ParentLink> links = mapping.parentLinks();
        for (int i = 0; i < links.size(); i++) {
            String parent = links.get(i).parentIdentity(row);
            if (parent != null) {
                facets.put(EntityImage.LINK + i, parent);
            }
        }
        return new EntityImage(key, true, facets, null);
    }

    static EntityImage relationship(RelationshipMapping mapping, Map<String, Object> row) {
        String key = EntityKeys.of(mapping, row);
        Map<String, String> facets = new HashMap<>();
        mappedProperties(() -> GraphPlanner.relationshipProperties(mapping, row), facets);
        return new EntityImage(key, true, facets, null);
    }

    /** The mapping's properties of a row; a row holding a value the graph cannot take (it is in the dead-letter queue) is marked so, for a finding to name it. */
    private static void mappedProperties(java.util.function.Supplier<Map<String, Object>> mapped, Map<String, String> facets) {
        try {
            properties(mapped.get(), facets);
        } catch (SyncException unmappable) {
            facets.put(EntityImage.UNMAPPABLE, "1");
        }
    }

    static void properties(Map<String, Object> properties, Map<String, String> facets) {
        properties.forEach((name, value) -> {
            String canonical = CanonicalValue.of(value);
            if (canonical != null) {
                facets.put(EntityImage.PROPERTY + name, canonical);
            }
        });
    }
}
