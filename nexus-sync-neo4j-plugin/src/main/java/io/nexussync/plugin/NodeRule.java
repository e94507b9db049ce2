package io.nexussync.plugin;

import java.util.Set;

/**
 * What flows back for the nodes of one label, as the service published it in a {@code (:_SyncReverseNode)}.
 *
 * @param versionProperty      the row version the node carries ({@code pgVersion}), or null
 * @param graphVersionProperty the graph version the plugin bumps ({@code neo4jVersion}), or null for none
 * @param properties           the properties whose edits flow back, in the published order (an edit lists them so); every
 *                             other one is the graph's own
 * @param refuseDelete         whether a delete is refused (PostgreSQL owns existence) rather than sent as an edit
 * @param create               whether a node created in the graph becomes a row; if not, creating one is refused
 * @param tombstoneLabel       the label of the label's tombstones (history the service keeps of deleted rows), or null:
 *                             a tombstone mirrors no row, so nothing done to it flows back or is refused
 */
record NodeRule(String label, String idProperty, String pgIdProperty, String versionProperty, String graphVersionProperty,
        Set<String> properties, boolean refuseDelete, boolean create, String tombstoneLabel) {
}
