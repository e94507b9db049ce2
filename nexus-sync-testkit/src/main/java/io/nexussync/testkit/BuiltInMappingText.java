package io.nexussync.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** The built-in mapping's YAML (read from nexus-sync-core on the class path), changed the way a user would change their copy. */
public final class BuiltInMappingText {
    private static final String RESOURCE = "io/nexussync/core/mapping/contextnexus.yaml";

    private BuiltInMappingText() {}

    /** The text with a {@code tombstones: true} line after the {@code label:} line of each listed node table. */
    public static String withTombstones(String... labels) {
        Set<String> keep = Set.of(labels);
        StringBuilder out = new StringBuilder();
        for (String line : text().split("\n", -1)) {
            out.append(line).append('\n');
            if (line.startsWith("    label: ") && keep.contains(line.substring("    label: ".length()).trim())) {
                out.append("    tombstones: true\n");
            }
        }
        if (out.toString().split("tombstones: true", -1).length - 1 != keep.size()) {
            throw new IllegalArgumentException("not every label of " + keep + " is a node table of the built-in mapping");
        }
        return out.toString();
    }

    /**
     * The text as a second graph's mapping: no node table names a cross-reference column ({@code neo4j_node_id} holds the
     * first graph's elementIds, so here it is PostgreSQL-only), so this graph's sync writes nothing back to the rows.
     */
    public static String withoutCrossReferences() {
        String[] lines = text().split("\n", -1);
        StringBuilder out = new StringBuilder();
        int dropped = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.equals("    crossReference: neo4j_node_id")) {
                dropped++;
                if (!blockHasPgOnly(lines, i)) {
                    out.append("    pgOnly: [neo4j_node_id]\n");
                }
                continue;
            }
            if (line.startsWith("    pgOnly: [")) {
                line = line.replace("pgOnly: [", "pgOnly: [neo4j_node_id, ");
            }
            out.append(line).append('\n');
        }
        if (dropped == 0) {
            throw new IllegalStateException("the built-in mapping names no crossReference: neo4j_node_id line any more");
        }
        return out.toString();
    }

    private static boolean blockHasPgOnly(String[] lines, int from) {
        for (int i = from + 1; i < lines.length && !lines[i].startsWith("  - ") && !lines[i].matches("^\\S.*"); i++) {
            if (lines[i].startsWith("    pgOnly: [")) {
                return true;
            }
        }
        return false;
    }

    private static String text() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path: nexus-sync-core must be");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
