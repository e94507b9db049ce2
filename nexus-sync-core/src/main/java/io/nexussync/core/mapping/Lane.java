package io.nexussync.core.mapping;

import java.util.Locale;

/** Apply priority of a change, highest first (shared/contract/schema.md, "Lanes"). */
public enum Lane {
    CRITICAL, HIGH, NORMAL, LOW;

    /** @return the lane named {@code name} (any case), or null when there is none */
    public static Lane parse(String name) {
        if (name == null) {
            return null;
        }
        for (Lane lane : values()) {
            if (lane.name().equals(name.toUpperCase(Locale.ROOT))) {
                return lane;
            }
        }
        return null;
    }

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
