package io.nexussync.core.verify;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Names what differs between a row's image and the graph's, one {@link Finding} per kind. */
final class ImageDiff {
    private ImageDiff() {}

    /**
     * @param expected the row's image, or null when there is no row
     * @param actual   the graph's image, or null when the graph holds nothing under the key
     */
    static List<Finding> findings(Subject subject, String key, EntityImage expected, EntityImage actual) {
        EntityImage row = expected == null ? EntityImage.absent(key) : expected;
        EntityImage graph = actual == null ? EntityImage.absent(key) : actual;
        if (row.sameAs(graph)) {
            return List.of();
        }
        Map<FindingKind, Set<String>> found = new EnumMap<>(FindingKind.class);
        boolean temporal = subject.match(nodes -> false, relationships -> relationships.mapping().temporal());
        boolean node = subject.match(nodes -> true, relationships -> false);
        if (!row.present() && graph.present()) {
            add(found, node ? FindingKind.NODE_STRAY : temporal ? FindingKind.HISTORY_OPEN_AFTER_DELETE : FindingKind.RELATIONSHIP_EXTRA, null);
        } else if (row.present() && !graph.present()) {
            add(found, node ? FindingKind.NODE_MISSING : FindingKind.RELATIONSHIP_MISSING, null);
        } else if (row.present()) {
            compareFacets(node, row, graph, found);
        }
        // A broken history is a finding whether or not the row is there.
        graph.facets().forEach((facet, value) -> {
            if (facet.startsWith(EntityImage.HISTORY)) {
                add(found, historyKind(facet.substring(EntityImage.HISTORY.length())), null);
            }
        });
        List<Finding> findings = new ArrayList<>();
        found.forEach((kind, properties) -> findings.add(new Finding(kind, subject.table().toString(), subject.graphName(), key,
                graph.elementId(), List.copyOf(properties))));
        return findings;
    }

    private static void compareFacets(boolean node, EntityImage row, EntityImage graph, Map<FindingKind, Set<String>> found) {
        Set<String> names = new TreeSet<>(row.facets().keySet());
        names.addAll(graph.facets().keySet());
        for (String facet : names) {
            String want = row.facets().get(facet);
            String have = graph.facets().get(facet);
            if (want != null && want.equals(have) || facet.startsWith(EntityImage.HISTORY)) {
                continue;
            }
            if (facet.equals(EntityImage.UNMAPPABLE)) {
                add(found, FindingKind.PROPERTY_DIFFERS, "(a column the graph cannot hold: see the dead letters)");
            } else if (facet.equals(EntityImage.CROSS_REFERENCE)) {
                add(found, FindingKind.CROSS_REFERENCE_DIFFERS, null);
            } else if (facet.equals(EntityImage.COUNT)) {
                add(found, FindingKind.RELATIONSHIP_DUPLICATED, null);
            } else if (facet.startsWith(EntityImage.LINK)) {
                add(found, linkKind(want, have), null);
            } else if (facet.startsWith(EntityImage.PROPERTY)) {
                String property = facet.substring(EntityImage.PROPERTY.length());
                if (property.equals(io.nexussync.core.mapping.NodeMapping.PG_ID_PROPERTY) && node) {
                    add(found, FindingKind.PG_ID_DIFFERS, null);
                } else if (!node) {
                    add(found, FindingKind.RELATIONSHIP_PROPERTY_DIFFERS, property);
                } else if (have == null) {
                    add(found, FindingKind.PROPERTY_MISSING, property);
                } else if (want == null) {
                    add(found, FindingKind.PROPERTY_EXTRA, property);
                } else {
                    add(found, FindingKind.PROPERTY_DIFFERS, property);
                }
            }
        }
    }

    private static FindingKind linkKind(String want, String have) {
        if (have == null) {
            return FindingKind.LINK_MISSING;
        }
        if (want != null && have.startsWith(want + "\u0001") && have.replace(want, "").replace("\u0001", "").isEmpty()) {
            return FindingKind.LINK_DUPLICATED;
        }
        return FindingKind.LINK_EXTRA;
    }

    private static FindingKind historyKind(String problem) {
        switch (problem) {
            case "several-open":
                return FindingKind.HISTORY_SEVERAL_OPEN;
            case "inverted":
                return FindingKind.HISTORY_INVERTED;
            case "overlap":
                return FindingKind.HISTORY_OVERLAP;
            default:
                throw new IllegalStateException("a history problem without a finding kind: " + problem);
        }
    }

    private static void add(Map<FindingKind, Set<String>> found, FindingKind kind, String property) {
        Set<String> properties = found.computeIfAbsent(kind, k -> new TreeSet<>());
        if (property != null) {
            properties.add(property);
        }
    }
}
