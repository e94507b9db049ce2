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

    static EntityImage of(Subject subject, Map<String, Object> row) {
        return subject.match(nodes -> node(nodes.mapping(), row), relationships -> relationship(relationships.mapping(), row));
    }

    static EntityImage node(NodeMapping mapping, Map<String, Object> row) {
        String key = mapping.identity(row);
        Map<String, String> facets = new HashMap<>();
        try {
            properties(GraphPlanner.nodeProperties(mapping, row), facets);
        } catch (SyncException unmappable) {
            // The row holds a value the graph cannot take: it is in the dead-letter queue, and a finding names it.
            facets.put(EntityImage.UNMAPPABLE, "1");
        }
        if (mapping.crossReferenceColumn() != null && row.get(mapping.crossReferenceColumn()) instanceof String xref) {
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
        try {
            properties(GraphPlanner.relationshipProperties(mapping, row), facets);
        } catch (SyncException unmappable) {
            facets.put(EntityImage.UNMAPPABLE, "1");
        }
        return new EntityImage(key, true, facets, null);
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
