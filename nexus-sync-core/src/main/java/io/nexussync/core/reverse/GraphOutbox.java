package io.nexussync.core.reverse;

import java.time.Instant;
import java.util.List;

/**
 * The graph's side of reverse sync: the plugin's outbox, and the few graph writes the reverse applier makes itself. Every
 * transaction it opens carries the service's metadata, so the plugin never takes them for graph edits.
 */
public interface GraphOutbox {

    /** The oldest entries waiting, in seq order. */
    List<GraphEdit> next(int limit);

    /** Removes the entries up to {@code seq} (PostgreSQL has recorded them as applied). */
    void removeThrough(long seq);

    /** How many entries wait, and the commit time of the oldest (null when none): the reverse lag. */
    Backlog backlog();

    record Backlog(long entries, Instant oldestCommittedAt) {}

    /**
     * Gives a node created in the graph its key (the identity and the contract's {@code pgId}) unless it has one already.
     *
     * @return the key the node holds afterwards, or null when the node is gone
     */
    String assignKey(String label, String idProperty, String elementId, String key);

    /** The key a node holds now (null: none, or the node is gone): for edits recorded before its key was assigned. */
    String keyOf(String label, String idProperty, String elementId);

    /** Deletes a node created in the graph whose row PostgreSQL refused (PostgreSQL owns existence). */
    void removeNode(String label, String elementId);

    /** Deletes a relationship created in the graph whose row PostgreSQL refused. */
    void removeRelationship(ReverseCatalog.RelationshipRules rules, String fromId, String toId);

    /** Tells the plugin what flows back: replaces its configuration nodes. */
    void publish(ReverseCatalog catalog);

    /** Whether the plugin is installed in the graph's server (a probe transaction the plugin answers). */
    boolean pluginInstalled();
}
