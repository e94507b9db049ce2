package io.nexussync.neo4j;

import static io.nexussync.neo4j.Cypher.name;

import io.nexussync.core.plan.GraphStep;
import io.nexussync.core.plan.GraphStep.DeleteNodes;
import io.nexussync.core.plan.GraphStep.DeleteUnidentifiedNodes;
import io.nexussync.core.plan.GraphStep.DeleteRelationships;
import io.nexussync.core.plan.GraphStep.LinkParents;
import io.nexussync.core.plan.GraphStep.TemporalRound;
import io.nexussync.core.plan.GraphStep.TombstoneNodes;
import io.nexussync.core.plan.GraphStep.TruncateNodes;
import io.nexussync.core.plan.GraphStep.TruncateRelationships;
import io.nexussync.core.plan.GraphStep.UpsertNodes;
import io.nexussync.core.plan.GraphStep.UpsertRelationships;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import java.util.List;

/**
 * The Cypher for each kind of {@link GraphStep}: one {@code UNWIND $batch.rows} statement per step, so a
 * batch costs a handful of round trips whatever its size. Version guards make every statement a
 * no-op for a row the graph already holds at that version or newer.
 */
final class StatementRenderer {
    /** The {@code validTo} of a temporal relationship's current version. */
    static final String OPEN_END = "datetime('9999-12-31T00:00:00Z')";
    /** Endpoint nodes a relationship creates before their own row arrives get the contract's {@code pgId} too. */
    private static final String PG_ID = name(NodeMapping.PG_ID_PROPERTY);

    /**
     * The rows come inside a map ({@code {batch: {rows: [...]}}}): Neo4j caches a plan per statement text and parameter
     * type, and a list parameter's type includes its size, in buckets of powers of ten, so a bare {@code $rows} would be
     * planned once per bucket a batch's rows fall in. A map's size is not part of its type. See {@link StepParameters#batch}.
     * No {@code CYPHER replan=skip}: it took a fifth off the Neo4j server's drain time, but a plan made on an empty or tiny
     * graph then stayed as the graph grew (the snapshot ITs, sharing one Neo4j, saw the temporal statements' chunks go from
     * about 1 s to 18 s per 2,000 rows after a test on a 25-node graph planned them).
     */
    private static final String UNWIND = "UNWIND $batch.rows AS ";

    private StatementRenderer() {}

    static String deleteNodes(DeleteNodes step) {
        NodeMapping m = step.mapping();
        return UNWIND + "id MATCH (n:" + name(m.label()) + " {" + name(m.idProperty()) + ": id}) DETACH DELETE n";
    }

    /** The label of a deletion marker: which node ({@code label}, {@code id}) was deleted, and the latest delete's commit time ({@code at}). */
    static final String DELETED = "`_SyncDeleted`";

    /**
     * With deletion markers, each delete with a commit time also records it, whether or not the node was there (the delete
     * can arrive before the change that created it, when that change came in another partition), keeping the latest one.
     * Its rows are {@link StepParameters#deletionRows}. See {@link DeletionGuard}.
     */
    static String deleteNodes(DeleteNodes step, boolean deletionMarkers) {
        if (!deletionMarkers) {
            return deleteNodes(step);
        }
        NodeMapping m = step.mapping();
        return UNWIND + "row OPTIONAL MATCH (n:" + name(m.label()) + " {" + name(m.idProperty()) + ": row.id}) DETACH DELETE n "
                + "WITH row WHERE row.at IS NOT NULL "
                + "MERGE (d:" + DELETED + " {`label`: " + Cypher.literal(m.label()) + ", `id`: row.id}) "
                + "SET d.`at` = CASE WHEN d.`at` IS NULL OR d.`at` < row.at THEN row.at ELSE d.`at` END, d.`writtenAt` = datetime()";
    }

    /**
     * The guard on one node a streamed row would create or link to ({@code (label {idProperty: idExpression})}), with
     * deletion markers. Changes reach the writer in order per entity but not across entities (Kafka partitions), so a
     * change PostgreSQL made before a node's delete can come after it: the node it would create (an endpoint, a parent,
     * or the old key's node of a key change) is not created then. {@link #readMarker} binds the node's marker as
     * {@code <v>Gone}; {@link #passes} is the condition on the row.
     * <p>
     * The node itself is read only inside the condition, after the marker: the marker's read goes through its uniqueness
     * constraint and waits while another apply instance's delete holds the marker uncommitted, so a node read after it
     * sees that delete committed. Were the node read first (Neo4j's planner orders independent {@code OPTIONAL MATCH}es
     * as it likes, even across {@code WITH *}), a sighting from before the delete would pass the check and the MERGE would
     * bring the node back ({@code DeletionMarkersIT.shouldNotTrustASightingOfANodeTakenBeforeAnotherInstancesDeleteCommitted}).
     */
    private record DeletionGuard(String v, String label, String idProperty, String idExpression) {
        String readMarker() {
            return "OPTIONAL MATCH (" + v + "Gone:" + DELETED + " {`label`: " + Cypher.literal(label) + ", `id`: " + idExpression + "}) ";
        }

        /**
         * No later delete is marked, or the row has no commit time (never held back), or the node is there (inserted again
         * since). A row whose change committed in the delete's own transaction (a tie: a commit time cannot order them) is
         * let through for the node's own row, which its partition orders (deleted and inserted again in one transaction),
         * and held back for a placeholder: a relationship or child written and its end deleted in one transaction
         * (KafkaRolesIT met it) leaves no end behind, and a relationship to a node deleted and inserted again in one
         * transaction is what this costs (README "Limits").
         */
        String passes(boolean ownRow) {
            return "(" + v + "Gone IS NULL OR row.at IS NULL OR " + v + "Gone.`at` " + (ownRow ? "<=" : "<") + " row.at"
                    + " OR EXISTS { MATCH (:" + name(label) + " {" + name(idProperty) + ": " + idExpression + "}) })";
        }
    }

    private static final String TOMBSTONE = name(NodeMapping.TOMBSTONE_LABEL);
    private static final String DELETED_AT = name(NodeMapping.DELETED_AT_PROPERTY);

    /**
     * The node stays, with its label, identity and last properties, as a tombstone: its open versions of the history
     * types close at the delete's time (never one that began after it: a replayed delete after the row came back), every
     * other relationship goes (what is current no longer points at it), and it gains the tombstone label and
     * {@code deletedAt}. A node that is a tombstone already keeps its first deletion time: a repeated delete is a no-op.
     */
    static String tombstoneNodes(TombstoneNodes step) {
        NodeMapping m = step.mapping();
        return UNWIND + "row MATCH (n:" + name(m.label()) + " {" + name(m.idProperty()) + ": row.id}) WHERE NOT n:" + TOMBSTONE + " "
                + LOCK_NODE + "WITH n, row " + tombstone(step.historyTypes());
    }

    /** The tombstone's writes for a node {@code n} not yet one, deleted at {@code row.at}. */
    private static String tombstone(List<String> historyTypes) {
        String closeHistory = historyTypes.isEmpty() ? ""
                : "OPTIONAL MATCH (n)-[v:" + String.join("|", historyTypes.stream().map(Cypher::name).toList()) + "]-() "
                + "WHERE v.validTo = " + OPEN_END + " AND v.validFrom <= row.at "
                + "WITH n, row, collect(v) AS open FOREACH (v IN open | SET v.validTo = row.at) WITH n, row ";
        String keep = historyTypes.isEmpty() ? "" : " WHERE NOT type(r) IN [" + String.join(", ", historyTypes.stream().map(Cypher::literal).toList()) + "]";
        return closeHistory
                + "OPTIONAL MATCH (n)-[r]-()" + keep + " "
                + "WITH n, row, collect(r) AS current FOREACH (r IN current | DELETE r) "
                + "SET n:" + TOMBSTONE + ", n." + DELETED_AT + " = row.at";
    }

    /**
     * Only a node still without an identity goes: one that gained it since verify found it has a row to answer to. An identity
     * is a string (what {@link Neo4jVerifyGraph} scans): a node whose identity property holds another type no row can name.
     */
    static String deleteUnidentifiedNodes(DeleteUnidentifiedNodes step) {
        NodeMapping m = step.mapping();
        return UNWIND + "eid MATCH (n:" + name(m.label()) + ") WHERE elementId(n) = eid AND NOT coalesce(n." + name(m.idProperty()) + " >= '', false) DETACH DELETE n";
    }

    /** A refresh (re-read rows) is written at the version the graph holds too; a streamed repeat is not. */
    private static String newer(boolean refresh) {
        return refresh ? " <= " : " < ";
    }

    /**
     * A row newer by its version replaces the node's values, unless it is older by the graph version (the node holds a graph
     * edit PostgreSQL has not decided yet, which comes back as a later row): then only the node's row version (and
     * {@code lastSyncedAt}) moves, and the graph version never moves back. A refresh is PostgreSQL's truth re-read (a
     * snapshot, a backfill, a repair) and is written whatever the graph version, so a resync can always set the graph right.
     */
    /**
     * Takes the node's write lock before its versions and graph-owned properties are read: MERGE of an existing node locks
     * nothing, so without it a graph user's transaction (an edit that raises neo4jVersion, analytics writing a graph-only
     * property) could commit between this statement's read and its write, and the write would put back what it read
     * (ReverseCrashIT: an edit lost, neo4jVersion one behind the edits, in 1 of 3 runs).
     */
    private static final String LOCK_NODE = lock("n");

    /** A write lock on the node bound to {@code variable}, held until the transaction ends: a property written and removed again. */
    private static String lock(String variable) {
        return "SET " + variable + ".`_nexusSyncLock` = true REMOVE " + variable + ".`_nexusSyncLock` ";
    }

    /**
     * For a mapping that keeps tombstones, a row with the key of a tombstone brings it back as a new row's node: whatever
     * its versions (a row inserted again starts them over), its properties replaced, graph-owned ones and the graph
     * version of its earlier life dropped, the tombstone label and deletion time removed, its closed history kept.
     */
    static String upsertNodes(UpsertNodes step, boolean refresh) {
        return upsertNodes(step, refresh, false);
    }

    /** @param guardDeleted with deletion markers, a streamed row: a node deleted after the row's change is not created */
    static String upsertNodes(UpsertNodes step, boolean refresh, boolean guardDeleted) {
        NodeMapping m = step.mapping();
        String revived = m.tombstones() ? "n:" + TOMBSTONE : "false";
        String fresh = m.versionProperty() == null ? "true"
                : "(n." + name(m.versionProperty()) + " IS NULL OR row.version IS NULL OR n." + name(m.versionProperty()) + newer(refresh) + "row.version)";
        String graphVersion = graphVersionProperty(m);
        String current = refresh || graphVersion == null ? "true"
                : "(n." + graphVersion + " IS NULL OR row.props." + graphVersion + " IS NULL OR row.props." + graphVersion + " >= n." + graphVersion + ")";
        if (m.tombstones()) {
            fresh = "(" + revived + " OR " + fresh + ")";
            current = "(" + revived + " OR " + current + ")";
        }
        String versionOnly = m.versionProperty() == null ? "SET n.lastSyncedAt = datetime()"
                : "SET n." + name(m.versionProperty()) + " = row.version, n.lastSyncedAt = datetime()";
        DeletionGuard ownRow = new DeletionGuard("n", m.label(), m.idProperty(), "row.id");
        String guard = guardDeleted
                ? ownRow.readMarker() + "WITH row WHERE " + ownRow.passes(true) + " " : "";
        return UNWIND + "row "
                + guard
                + "MERGE (n:" + name(m.label()) + " {" + name(m.idProperty()) + ": row.id}) "
                + LOCK_NODE
                + "WITH n, row, " + fresh + " AS fresh, " + current + " AS current, " + revived + " AS revived"
                + keptGraphOnly(m) + keptGraphVersion(m, graphVersion) + " "
                + "FOREACH (_ IN CASE WHEN fresh AND current AND row.whole THEN [1] ELSE [] END | " + replaceProperties(m) + ", n.lastSyncedAt = datetime()"
                + neverBack(graphVersion) + ") "
                + "FOREACH (_ IN CASE WHEN fresh AND current AND NOT row.whole THEN [1] ELSE [] END | SET n += row.props, n.lastSyncedAt = datetime()"
                + neverBack(graphVersion) + ") "
                + "FOREACH (_ IN CASE WHEN fresh AND NOT current THEN [1] ELSE [] END | " + versionOnly + ") "
                + (m.tombstones() ? "FOREACH (_ IN CASE WHEN revived THEN [1] ELSE [] END | REMOVE n:" + TOMBSTONE + ", n." + DELETED_AT + ") " : "")
                + "WITH n, row WHERE row.xref IS NULL OR row.xref <> elementId(n) "
                + "RETURN row.id AS id, elementId(n) AS elementId";
    }

    private static String keptGraphVersion(NodeMapping m, String graphVersion) {
        return graphVersion == null ? "" : ", " + unlessRevived(m, "n." + graphVersion) + " AS keptGraphVersion";
    }

    /** What a node holds from before its delete is not kept when a tombstone comes back as a new row's node. */
    private static String unlessRevived(NodeMapping m, String value) {
        return m.tombstones() ? "CASE WHEN n:" + TOMBSTONE + " THEN null ELSE " + value + " END" : value;
    }

    /**
     * The graph version never moves back, not even under a refresh (snapshot, backfill, repair), which writes the row's
     * values whatever the node's version: the plugin numbers the next edit from the node's version, and a number the row
     * has already recorded would make that edit look applied.
     */
    private static String neverBack(String graphVersion) {
        return graphVersion == null ? ""
                : ", n." + graphVersion + " = CASE WHEN keptGraphVersion IS NOT NULL AND (n." + graphVersion + " IS NULL OR keptGraphVersion > n."
                + graphVersion + ") THEN keptGraphVersion ELSE n." + graphVersion + " END";
    }

    /** The quoted graph version property ({@code neo4jVersion}), or null when the mapping has no graph version column. */
    private static String graphVersionProperty(NodeMapping m) {
        return m.graphVersionColumn() == null ? null : name(m.propertyName(m.graphVersionColumn()));
    }

    /**
     * A whole row replaces the node's properties, so that a property no column backs any more (a dropped
     * column, drift) goes, keeping only what the graph owns. A row with unchanged TOAST values lacks those
     * columns, so it adds to the node instead.
     */
    private static String replaceProperties(NodeMapping m) {
        StringBuilder set = new StringBuilder("SET n = row.props");
        int i = 0;
        for (String graphOnly : m.graphOnlyProperties()) {
            set.append(", n.").append(name(graphOnly)).append(" = kept").append(i++);
        }
        return set.toString();
    }

    /** The graph-owned values, read before a whole row replaces the node's properties. */
    private static String keptGraphOnly(NodeMapping m) {
        StringBuilder kept = new StringBuilder();
        int i = 0;
        for (String graphOnly : m.graphOnlyProperties()) {
            kept.append(", ").append(unlessRevived(m, "n." + name(graphOnly))).append(" AS kept").append(i++);
        }
        return kept.toString();
    }

    /**
     * Points the child at its parent, deleting its links to any other. A refresh (re-read rows: a repair, a snapshot over
     * a drifted graph) also deletes links to a parent without identity and every duplicate link to the right parent but
     * one; the streamed statement, the hot path, does not look for them (the service never writes a duplicate).
     */
    static String linkParents(LinkParents step, boolean refresh) {
        return linkParents(step, refresh, false);
    }

    /** @param guardDeleted with deletion markers: a parent deleted after the child's change is not created, nor the link */
    static String linkParents(LinkParents step, boolean refresh, boolean guardDeleted) {
        NodeMapping m = step.mapping();
        String child = "(c:" + name(m.label()) + " {" + name(m.idProperty()) + ": row.child})";
        String parentId = name(step.link().parentIdProperty());
        String arrowOld = step.link().parentToChild()
                ? "(old:" + name(step.link().parentLabel()) + ")-[l:" + name(step.link().type()) + "]->(c)"
                : "(c)-[l:" + name(step.link().type()) + "]->(old:" + name(step.link().parentLabel()) + ")";
        String arrowNew = step.link().parentToChild()
                ? "MERGE (p)-[:" + name(step.link().type()) + "]->(c)"
                : "MERGE (c)-[:" + name(step.link().type()) + "]->(p)";
        String guard = m.versionProperty() == null ? ""
                : " WHERE row.version IS NULL OR c." + name(m.versionProperty()) + " IS NULL OR c." + name(m.versionProperty()) + " <= row.version";
        DeletionGuard parentGuard = new DeletionGuard("p", step.link().parentLabel(), step.link().parentIdProperty(), "row.parent");
        String otherParent = refresh ? "coalesce(old." + parentId + " <> row.parent, true)" : "old." + parentId + " <> row.parent";
        return UNWIND + "row MATCH " + child + guard + " "
                + "OPTIONAL MATCH " + arrowOld + " WHERE row.parent IS NULL OR " + otherParent + " "
                + "DELETE l "
                + "WITH DISTINCT c, row WHERE row.parent IS NOT NULL "
                + (refresh ? duplicateLinks(step) : "")
                + (guardDeleted ? parentGuard.readMarker() + "WITH c, row WHERE " + parentGuard.passes(false) + " " : "")
                + "MERGE (p:" + name(step.link().parentLabel()) + " {" + parentId + ": row.parent}) ON CREATE SET p." + PG_ID + " = row.parent "
                + arrowNew;
    }

    /** Deletes all but one of the child's links to its parent (after the links to other parents are gone). */
    private static String duplicateLinks(LinkParents step) {
        String parent = "(same:" + name(step.link().parentLabel()) + " {" + name(step.link().parentIdProperty()) + ": row.parent})";
        String arrow = step.link().parentToChild()
                ? parent + "-[d:" + name(step.link().type()) + "]->(c)"
                : "(c)-[d:" + name(step.link().type()) + "]->" + parent;
        return "OPTIONAL MATCH " + arrow + " "
                + "WITH c, row, collect(d) AS links "
                + "FOREACH (duplicate IN tail(links) | DELETE duplicate) "
                + "WITH c, row ";
    }

    static String deleteRelationships(DeleteRelationships step) {
        return UNWIND + "row MATCH " + pattern(step.mapping()) + " DELETE r";
    }

    /** @param guardDeleted with deletion markers: a row with an end deleted after its change is dropped whole */
    static String upsertRelationships(UpsertRelationships step, boolean refresh, boolean guardDeleted) {
        RelationshipMapping m = step.mapping();
        String guard = m.versionProperty() == null ? ""
                : " WITH r, row WHERE row.version IS NULL OR r." + name(m.versionProperty()) + " IS NULL OR r." + name(m.versionProperty()) + newer(refresh) + "row.version";
        return UNWIND + "row " + mergeEndpoints(m, guardDeleted)
                + "MERGE (a)-[r:" + name(m.type()) + "]->(b)" + guard + (refresh ? " SET r = row.props" : " SET r += row.props");
    }

    /**
     * Opens a new version of each pair, closing the current one, unless the pair's history shows the change is
     * already applied or stale: a version that began later (a later change is in), one that began in the same
     * transaction at this row version or a later one (this change, or one after it in that transaction), or a
     * current version already at this row version or later (a repeat, or a refresh that wrote it). Per pair,
     * commit times only grow in stream order (two transactions that change one row are serialised by its lock),
     * so the commit time is the guard that survives a row deleted and inserted again, whose version starts over.
     * <p>
     * The start node is locked before the history is read, as the plugin's {@code PairGuard} locks it before it counts a
     * pair's current versions: a graph user's transaction that puts back a current version it deleted (the plugin does,
     * PostgreSQL owning the history) and this statement then see each other's committed versions, whichever goes first,
     * instead of leaving two current versions (a relationship's own locks are taken only as a transaction commits).
     */
    /** @param guardDeleted with deletion markers: a version with an end deleted after its change does not open */
    static String openTemporal(TemporalRound step, boolean guardDeleted) {
        RelationshipMapping m = step.mapping();
        String version = "v." + name(temporalVersion(m));
        return UNWIND + "row " + mergeEndpoints(m, guardDeleted)
                + "WITH a, b, row " + lock("a")
                + "WITH a, b, row "
                + "OPTIONAL MATCH (a)-[v:" + name(m.type()) + "]->(b) "
                + "WITH a, b, row, collect(v) AS versions "
                + "WHERE none(v IN versions WHERE v.validFrom > row.at "
                + "OR (v.validFrom = row.at AND (row.version IS NULL OR " + version + " IS NULL OR " + version + " >= row.version)) "
                + "OR (v.validTo = " + OPEN_END + " AND row.version IS NOT NULL AND " + version + " IS NOT NULL AND " + version + " >= row.version)) "
                + "FOREACH (c IN [v IN versions WHERE v.validTo = " + OPEN_END + "] | SET c.validTo = row.at) "
                + "CREATE (a)-[r:" + name(m.type()) + "]->(b) "
                + "SET r = row.props, r.validFrom = row.at, r.validTo = " + OPEN_END;
    }

    private static String temporalVersion(RelationshipMapping m) {
        return m.versionProperty() == null ? "version" : m.versionProperty();
    }

    /** A refresh of a pair whose current version is the row's: its properties are set in place, no new version opens. */
    static String refreshTemporal(TemporalRound step) {
        RelationshipMapping m = step.mapping();
        return UNWIND + "row MATCH " + pattern(m) + " WHERE r.validTo = " + OPEN_END + " AND r." + name(temporalVersion(m)) + " = row.version "
                + "WITH r, row, r.validFrom AS validFrom SET r = row.props, r.validFrom = validFrom, r.validTo = " + OPEN_END;
    }

    /** A delete closes the current version, but never one that began after it (a replayed delete after the row came back). */
    static String closeTemporal(TemporalRound step) {
        return UNWIND + "row MATCH " + pattern(step.mapping()) + " WHERE r.validTo = " + OPEN_END + " AND r.validFrom <= row.at SET r.validTo = row.at";
    }

    /** For a mapping that keeps tombstones, every node not one yet becomes one at {@code $at}. */
    static String truncateNodes(TruncateNodes step) {
        if (step.mapping().tombstones()) {
            return "MATCH (n:" + name(step.mapping().label()) + ") WHERE NOT n:" + TOMBSTONE + " WITH n, {at: $at} AS row " + tombstone(step.historyTypes());
        }
        return "MATCH (n:" + name(step.mapping().label()) + ") DETACH DELETE n";
    }

    static String truncateRelationships(TruncateRelationships step) {
        RelationshipMapping m = step.mapping();
        String match = "MATCH (:" + name(m.from().label()) + ")-[r:" + name(m.type()) + "]->(:" + name(m.to().label()) + ")";
        return m.temporal() ? match + " WHERE r.validTo = " + OPEN_END + " AND r.validFrom <= $at SET r.validTo = $at" : match + " DELETE r";
    }

    private static String pattern(RelationshipMapping m) {
        return "(a:" + name(m.from().label()) + " {" + name(m.from().idProperty()) + ": row.from})-[r:" + name(m.type()) + "]->(b:"
                + name(m.to().label()) + " {" + name(m.to().idProperty()) + ": row.to})";
    }

    private static String mergeEndpoints(RelationshipMapping m, boolean guardDeleted) {
        DeletionGuard from = new DeletionGuard("a", m.from().label(), m.from().idProperty(), "row.from");
        DeletionGuard to = new DeletionGuard("b", m.to().label(), m.to().idProperty(), "row.to");
        String guard = guardDeleted
                ? from.readMarker() + to.readMarker() + "WITH row WHERE " + from.passes(false) + " AND " + to.passes(false) + " " : "";
        return guard + "MERGE (a:" + name(m.from().label()) + " {" + name(m.from().idProperty()) + ": row.from}) ON CREATE SET a." + PG_ID + " = row.from "
                + "MERGE (b:" + name(m.to().label()) + " {" + name(m.to().idProperty()) + ": row.to}) ON CREATE SET b." + PG_ID + " = row.to ";
    }
}
