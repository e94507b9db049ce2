package io.nexussync.neo4j;

import static io.nexussync.neo4j.Cypher.name;

import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.retention.ClosedVersions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;

/**
 * History retention's side of the graph: counts and removes closed versions of a temporal relationship. Where the type has
 * an online range index on {@code validTo} (setup's {@code nexus_sync_<TYPE>_validTo}, whatever its name), the statements
 * name it in a hint, so Neo4j seeks the versions that ended before the cut whatever its statistics say (on
 * HistoryCompactionIT's graph it chose that seek without the hint too; the hint keeps a planner's change of mind from
 * turning each 1,000-version transaction into a scan); without one it scans the type, which is slower but gives the same
 * answer. Every transaction carries the service's metadata ({@link Neo4jTransactions#HISTORY_RETENTION}),
 * so the nexus-sync plugin does not take a removed version for a graph user's delete and send it to PostgreSQL.
 */
public final class Neo4jClosedVersions implements ClosedVersions {
    private static final String VALID_TO_INDEX = "SHOW INDEXES YIELD type, entityType, labelsOrTypes, properties, state "
            + "WHERE type = 'RANGE' AND entityType = 'RELATIONSHIP' AND labelsOrTypes = [$type] AND properties = ['validTo'] AND state = 'ONLINE' "
            + "RETURN count(*) > 0 AS indexed";

    private final Driver driver;
    private final SessionConfig session;

    public Neo4jClosedVersions(Driver driver, String database) {
        this.driver = driver;
        this.session = database == null ? SessionConfig.defaultConfig() : SessionConfig.forDatabase(database);
    }

    /**
     * The closed versions of the mapping's pattern that ended before {@code $cut}. {@code validTo < $cut} alone would do for
     * any cut in the past; the open end is excluded by name too, so that no cut, whatever it is, can reach a current version.
     */
    static String endedBefore(RelationshipMapping m, boolean indexed) {
        return "MATCH (:" + name(m.from().label()) + ")-[r:" + name(m.type()) + "]->(:" + name(m.to().label()) + ") "
                + (indexed ? "USING INDEX r:" + name(m.type()) + "(validTo) " : "")
                + "WHERE r.validTo < $cut AND r.validTo <> " + StatementRenderer.OPEN_END + " ";
    }

    /** The removing statement ({@code $cut}, {@code $limit}) for the graph as it is now: a test EXPLAINs it to see the index seek. */
    public String removeStatement(RelationshipMapping m) {
        return endedBefore(m, validToIndexed(m)) + "WITH r LIMIT $limit DELETE r RETURN count(*) AS versions";
    }

    private boolean validToIndexed(RelationshipMapping m) {
        try (Session s = driver.session(session)) {
            return s.run(VALID_TO_INDEX, Map.of("type", m.type()), Neo4jTransactions.config(Neo4jTransactions.HISTORY_RETENTION))
                    .single().get("indexed").asBoolean();
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("looking for the validTo index of " + m.type(), e);
        }
    }

    @Override
    public long countEndedBefore(RelationshipMapping type, Instant cut) {
        String count = endedBefore(type, validToIndexed(type)) + "RETURN count(r) AS versions";
        try (Session s = driver.session(session)) {
            return s.executeRead(tx -> tx.run(count, Map.of("cut", StepParameters.time(cut))).single().get("versions").asLong(),
                    Neo4jTransactions.config(Neo4jTransactions.HISTORY_RETENTION));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("counting closed versions of " + type.type(), e);
        }
    }

    /** Tombstones of the mapping deleted before {@code $cut}; the label scan of the smaller of the two labels serves it. */
    private static String tombstonesBefore(NodeMapping node) {
        return "MATCH (n:" + name(node.label()) + ":" + name(NodeMapping.TOMBSTONE_LABEL) + ") WHERE n." + name(NodeMapping.DELETED_AT_PROPERTY) + " < $cut ";
    }

    @Override
    public long countTombstonesBefore(NodeMapping node, List<String> historyTypes, Instant cut) {
        String closedBeforeCut = historyTypes.isEmpty() ? "false"
                : "type(r) IN [" + String.join(", ", historyTypes.stream().map(Cypher::literal).toList()) + "] AND r.validTo < $cut AND r.validTo <> "
                + StatementRenderer.OPEN_END;
        String count = tombstonesBefore(node) + "AND NOT EXISTS { MATCH (n)-[r]-() WHERE NOT (" + closedBeforeCut + ") } RETURN count(n) AS tombstones";
        try (Session s = driver.session(session)) {
            return s.executeRead(tx -> tx.run(count, Map.of("cut", StepParameters.time(cut))).single().get("tombstones").asLong(),
                    Neo4jTransactions.config(Neo4jTransactions.HISTORY_RETENTION));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("counting tombstones of " + node.label(), e);
        }
    }

    /**
     * Takes each tombstone's write lock before it looks again: the stream's upsert of a row inserted again with its key
     * locks the node before it brings it back, so whichever goes second sees the other's commit, and a node that is live
     * again, or has gained a relationship, is kept.
     */
    @Override
    public long removeTombstonesBefore(NodeMapping node, Instant cut, int limit) {
        String remove = tombstonesBefore(node) + "AND NOT (n)--() WITH n LIMIT $limit "
                + "SET n.`_nexusSyncLock` = true REMOVE n.`_nexusSyncLock` "
                + "WITH n WHERE n:" + name(NodeMapping.TOMBSTONE_LABEL) + " AND NOT (n)--() DELETE n RETURN count(*) AS tombstones";
        try (Session s = driver.session(session)) {
            return s.executeWrite(tx -> tx.run(remove, Map.of("cut", StepParameters.time(cut), "limit", limit)).single().get("tombstones").asLong(),
                    Neo4jTransactions.config(Neo4jTransactions.HISTORY_RETENTION));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("removing tombstones of " + node.label(), e);
        }
    }

    @Override
    public long removeEndedBefore(RelationshipMapping type, Instant cut, int limit) {
        String remove = removeStatement(type);
        // executeWrite retries a transient failure (a deadlock with the stream's batch over the same nodes) on its own.
        try (Session s = driver.session(session)) {
            return s.executeWrite(tx -> tx.run(remove, Map.of("cut", StepParameters.time(cut), "limit", limit)).single().get("versions").asLong(),
                    Neo4jTransactions.config(Neo4jTransactions.HISTORY_RETENTION));
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("removing closed versions of " + type.type(), e);
        }
    }
}
