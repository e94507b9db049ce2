package io.nexussync.core.verify;

import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.verify.VerifyGraph.GraphNode;
import io.nexussync.core.verify.VerifyGraph.GraphPair;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the graph holds for an entity, as an {@link EntityImage} to set beside the row's. The graph owns the mapping's
 * graph-only properties and {@code lastSyncedAt} (the time of the last write): those are never compared. Every other
 * property of a mapped node is PostgreSQL's, so one that no column backs is a finding.
 */
final class GraphImages {
    /** The {@code validTo} of a current version (the contract's {@code 9999-12-31T00:00:00Z}). */
    static final Instant OPEN_END = Instant.parse("9999-12-31T00:00:00Z");
    static final String VALID_FROM = "validFrom";
    static final String VALID_TO = "validTo";
    static final String LAST_SYNCED_AT = "lastSyncedAt";

    private GraphImages() {}

    /** @param crossReference whether the node's elementId is compared with the row's cross-reference column */
    static EntityImage node(NodeMapping mapping, GraphNode node, boolean crossReference) {
        Map<String, String> facets = new HashMap<>();
        Map<String, Object> owned = new HashMap<>(node.properties());
        owned.keySet().removeAll(mapping.graphOnlyProperties());
        owned.remove(LAST_SYNCED_AT);
        ExpectedImages.properties(owned, facets);
        if (crossReference && mapping.crossReferenceColumn() != null) {
            facets.put(EntityImage.CROSS_REFERENCE, node.elementId());
        }
        for (int i = 0; i < node.parents().size(); i++) {
            List<String> parents = new ArrayList<>();
            for (String parent : node.parents().get(i)) {
                parents.add(parent == null ? "<no id>" : parent);
            }
            if (!parents.isEmpty()) {
                parents.sort(EntityKeys.ORDER);
                facets.put(EntityImage.LINK + i, String.join("\u0001", parents));
            }
        }
        return new EntityImage(node.id(), true, facets, node.elementId());
    }

    static EntityImage pair(RelationshipMapping mapping, GraphPair pair) {
        return mapping.temporal() ? temporal(pair) : plain(pair);
    }

    private static EntityImage plain(GraphPair pair) {
        Map<String, String> facets = new HashMap<>();
        if (!pair.relationships().isEmpty()) {
            ExpectedImages.properties(pair.relationships().get(0), facets);
        }
        if (pair.relationships().size() != 1) {
            facets.put(EntityImage.COUNT, Integer.toString(pair.relationships().size()));
        }
        return new EntityImage(pair.key(), !pair.relationships().isEmpty(), facets, null);
    }

    /** Present while a version is open; the latest open version's properties; the history's problems as facets. */
    private static EntityImage temporal(GraphPair pair) {
        record Version(Instant from, Instant to, Map<String, Object> properties) {
            boolean open() {
                return OPEN_END.equals(to);
            }
        }
        List<Version> versions = new ArrayList<>();
        int inverted = 0;
        for (Map<String, Object> r : pair.relationships()) {
            Instant from = instant(r.get(VALID_FROM));
            Instant to = instant(r.get(VALID_TO));
            if (from == null || to == null || from.isAfter(to)) {
                inverted++;
            } else {
                versions.add(new Version(from, to, r));
            }
        }
        versions.sort(Comparator.comparing(Version::from).thenComparing(Version::to));
        int open = 0;
        int overlaps = 0;
        Version current = null;
        Instant latestClosedEnd = null;
        boolean openBefore = false;
        for (Version v : versions) {
            // A version that begins before an earlier one ended overlaps it; two open versions count as several open.
            if ((latestClosedEnd != null && latestClosedEnd.isAfter(v.from())) || (openBefore && !v.open())) {
                overlaps++;
            }
            if (v.open()) {
                open++;
                current = v;
                openBefore = true;
            } else if (latestClosedEnd == null || v.to().isAfter(latestClosedEnd)) {
                latestClosedEnd = v.to();
            }
        }
        Map<String, String> facets = new HashMap<>();
        if (current != null) {
            Map<String, Object> properties = new HashMap<>(current.properties());
            properties.remove(VALID_FROM);
            properties.remove(VALID_TO);
            ExpectedImages.properties(properties, facets);
        }
        if (open > 1) {
            facets.put(EntityImage.HISTORY + "several-open", Integer.toString(open));
        }
        if (inverted > 0) {
            facets.put(EntityImage.HISTORY + "inverted", Integer.toString(inverted));
        }
        if (overlaps > 0) {
            facets.put(EntityImage.HISTORY + "overlap", Integer.toString(overlaps));
        }
        return new EntityImage(pair.key(), current != null, facets, null);
    }

    /** A date-time's instant; null for anything else (a date-time without an offset cannot be placed on the timeline). */
    static Instant instant(Object value) {
        if (value instanceof ZonedDateTime t) {
            return t.toInstant();
        }
        if (value instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        return value instanceof Instant t ? t : null;
    }
}
