package io.nexussync.core.mapping;

import io.nexussync.testkit.BuiltInMappingText;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

/** The built-in mapping with {@code tombstones: true} on the node tables of the given labels, read as a user's file would be. */
public final class TombstoneMappings {
    private TombstoneMappings() {}

    public static Mapping builtInWithTombstones(String... labels) {
        byte[] yaml = BuiltInMappingText.withTombstones(labels).getBytes(StandardCharsets.UTF_8);
        return MappingLoader.parse(new ByteArrayInputStream(yaml), "tombstones.yaml");
    }
}
