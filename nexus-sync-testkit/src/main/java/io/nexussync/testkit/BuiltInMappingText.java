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
