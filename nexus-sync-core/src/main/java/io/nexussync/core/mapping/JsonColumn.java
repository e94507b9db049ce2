package io.nexussync.core.mapping;

import java.util.List;

/**
 * How a {@code json}/{@code jsonb} column is stored: as one canonical JSON string property (the
 * default, the contract's rule) or flattened: each named top-level key becomes a property of its own
 * ({@code prefix} + the key in lowerCamelCase), the rest of the document is not stored.
 */
public record JsonColumn(String column, boolean flatten, List<String> keys, String prefix) {

    /** The property that key {@code key} of a flattened column becomes. */
    public String propertyName(String key) {
        String camel = PropertyNames.camelCase(key);
        if (prefix == null || prefix.isEmpty()) {
            return camel;
        }
        return prefix + Character.toUpperCase(camel.charAt(0)) + camel.substring(1);
    }
}
