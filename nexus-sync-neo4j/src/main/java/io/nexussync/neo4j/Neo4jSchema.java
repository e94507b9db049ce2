package io.nexussync.neo4j;

import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.TransactionConfig;

/**
 * Creates what the writer relies on, idempotently: a uniqueness constraint on the identity property per mapped label (MERGE's
 * index, and the key order verify reads in), and one on each kind of bookkeeping record, the Neo4j plugin's outbox included.
 * For the polling fallback of reverse sync, a range index on each label's graph version property (it looks for the nodes a
 * graph writer raised it on). For each temporal relationship type, range indexes on {@code validFrom} and {@code validTo}, for
 * as-of queries across all start nodes (one start node's are served by its identity's index, then the expand).
 */
public final class Neo4jSchema {
    private Neo4jSchema() {}

    public static void ensureConstraints(Driver driver, String database, Mapping mapping) {
        SessionConfig config = database == null ? SessionConfig.defaultConfig() : SessionConfig.forDatabase(database);
        TransactionConfig schema = Neo4jTransactions.config(Neo4jTransactions.SCHEMA);
        try (Session session = driver.session(config)) {
            for (NodeMapping node : mapping.nodes()) {
                String label = node.label();
                String id = node.idProperty();
                session.run("CREATE CONSTRAINT " + Cypher.name("nexus_sync_" + label + "_" + id) + " IF NOT EXISTS FOR (n:"
                        + Cypher.name(label) + ") REQUIRE n." + Cypher.name(id) + " IS UNIQUE", schema).consume();
                if (node.graphVersionColumn() != null) {
                    String graphVersion = node.propertyName(node.graphVersionColumn());
                    session.run("CREATE INDEX " + Cypher.name("nexus_sync_" + label + "_" + graphVersion) + " IF NOT EXISTS FOR (n:"
                            + Cypher.name(label) + ") ON (n." + Cypher.name(graphVersion) + ")", schema).consume();
                }
            }
            for (RelationshipMapping relationship : mapping.relationships()) {
                if (relationship.temporal()) {
                    for (String bound : new String[] {"validFrom", "validTo"}) {
                        session.run("CREATE INDEX " + temporalIndex(relationship.type(), bound) + " IF NOT EXISTS FOR ()-[r:"
                                + Cypher.name(relationship.type()) + "]-() ON (r." + bound + ")", schema).consume();
                    }
                }
            }
            session.run("CREATE CONSTRAINT nexus_sync_checkpoint_slot IF NOT EXISTS FOR (c:`_SyncCheckpoint`) REQUIRE c.slot IS UNIQUE", schema).consume();
            // A repair's record is MERGEd in the repair's transaction and looked up after a crash: the index serves both,
            // and the constraint keeps two writers of one repair from both creating it.
            session.run("CREATE CONSTRAINT nexus_sync_repair_id IF NOT EXISTS FOR (r:`_SyncRepair`) REQUIRE r.id IS UNIQUE", schema).consume();
            // A critical write's decision: the first one recorded stands, so two deciders (the stream, recovery) must meet here.
            session.run("CREATE CONSTRAINT nexus_sync_decision_key IF NOT EXISTS FOR (d:`_SyncDecision`) REQUIRE d.key IS UNIQUE", schema).consume();
            // A Kafka consumer group's offset per partition: MERGEd and locked by each batch, so two batches of one partition
            // (a zombie's and its successor's) meet on one node rather than create two.
            session.run("CREATE CONSTRAINT nexus_sync_kafka_offset IF NOT EXISTS FOR (o:`_SyncKafkaOffset`) REQUIRE (o.group, o.topic, o.partition) IS UNIQUE",
                    schema).consume();
            // The Neo4j plugin's outbox: one entry per seq, which the reverse sync reads in order and deletes by; and one
            // sequence node, which the plugin MERGEs the first time (the constraint lets two first writers agree on it).
            // A deletion marker (written only by a writer that keeps them) is looked up by (label, id) for every node a
            // streamed change may create, and MERGEd by concurrent deletes of one node: indexed, and never two of them.
            // The range index on its time serves the retention job that removes old ones.
            session.run("CREATE CONSTRAINT nexus_sync_deleted_node IF NOT EXISTS FOR (d:`_SyncDeleted`) REQUIRE (d.`label`, d.`id`) IS UNIQUE",
                    schema).consume();
            session.run("CREATE INDEX nexus_sync_deleted_written_at IF NOT EXISTS FOR (d:`_SyncDeleted`) ON (d.`writtenAt`)", schema).consume();
            session.run("CREATE CONSTRAINT nexus_sync_outbox_seq IF NOT EXISTS FOR (o:`_SyncOutbox`) REQUIRE o.seq IS UNIQUE", schema).consume();
            session.run("CREATE CONSTRAINT nexus_sync_outbox_sequence IF NOT EXISTS FOR (s:`_SyncOutboxSequence`) REQUIRE s.name IS UNIQUE",
                    schema).consume();
        } catch (RuntimeException e) {
            throw Neo4jErrors.translate("creating the uniqueness constraints and indexes", e);
        }
    }

    /** The name of the range index on a temporal relationship type's {@code validFrom} or {@code validTo}, quoted. */
    static String temporalIndex(String type, String bound) {
        return Cypher.name("nexus_sync_" + type + "_" + bound);
    }
}
