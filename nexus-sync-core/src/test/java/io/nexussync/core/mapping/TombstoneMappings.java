package io.nexussync.core.mapping;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** The built-in mapping with {@code tombstones: true} on the node tables of the given labels, read as a user's file would be. */
public final class TombstoneMappings {
    private TombstoneMappings() {}

    public static Mapping builtInWithTombstones(String... labels) {
        return MappingLoader.parse(new ByteArrayInputStream(builtInWithTombstonesText(labels).getBytes(StandardCharsets.UTF_8)), "tombstones.yaml");
    }

    /** The built-in mapping's text, a {@code tombstones: true} line after each {@code label:} line of a listed node table. */
    public static String builtInWithTombstonesText(String... labels) {
        Set<String> keep = Set.of(labels);
        StringBuilder out = new StringBuilder();
        try (InputStream in = MappingLoader.class.getResourceAsStream("contextnexus.yaml")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                out.append(line).append('\n');
                String trimmed = line.trim();
                if (line.startsWith("    label: ") && keep.contains(trimmed.substring("label: ".length()))) {
                    out.append("    tombstones: true\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
