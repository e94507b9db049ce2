package io.nexussync.plugin;

import java.util.Set;

/**
 * What flows back for one relationship type between two labels, as published in a {@code (:_SyncReverseRelationship)}.
 * A temporal type keeps its history in the graph as versions ({@code validFrom}/{@code validTo}); PostgreSQL owns it.
 */
record RelationshipRule(String type, String fromLabel, String fromIdProperty, String toLabel, String toIdProperty,
        String versionProperty, boolean temporal, Set<String> properties) {
}
