package io.nexussync.plugin;

import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.graphdb.event.TransactionData;
import org.neo4j.graphdb.event.TransactionEventListener;
import org.neo4j.logging.Log;

/**
 * The change feed of one database. In {@code beforeCommit}, inside the committing transaction: a transaction of the
 * service itself (metadata key {@value #METADATA_KEY}) is skipped, which is the loop guard, except that the probe gets
 * the plugin's version; any other is read against the published rules, and its edits, version bumps and outbox entry
 * are written into it, so they commit or roll back with it; then {@link PairGuard} makes sure no pair is left with a
 * second relationship of a mapped type. A refused change throws, which rolls the transaction back, and is logged. Returns whether the transaction changed the rules, so they are read again after it commits.
 */
final class ReverseSyncListener implements TransactionEventListener<Boolean> {
    static final String METADATA_KEY = "nexus-sync";
    static final String PROBE = "plugin-probe";
    static final Label PROBE_LABEL = Label.label("_SyncReverseProbe");

    private final ConfigCache config = new ConfigCache();
    private final Log log;

    ReverseSyncListener(Log log) {
        this.log = log;
    }

    @Override
    public Boolean beforeCommit(TransactionData data, Transaction transaction, GraphDatabaseService database) {
        Object purpose = data.metaData().get(METADATA_KEY);
        if (purpose != null) {
            if (PROBE.equals(purpose)) {
                answerProbe(transaction);
            }
            return ConfigCache.touchesRules(data);
        }
        ReverseConfig rules = config.current(transaction);
        if (!rules.isEmpty()) {
            EditCollector collected;
            try {
                collected = EditCollector.collect(rules, TransactionChanges.of(data));
                collected.write();
                PairGuard.check(transaction, collected.createdPairs());
            } catch (Refusal refusal) {
                log.warn("%s (transaction rolled back)", refusal.getMessage());
                throw refusal;
            }
            if (!collected.edits().isEmpty()) {
                Outbox.append(transaction, collected.edits());
            }
        }
        return ConfigCache.touchesRules(data);
    }

    @Override
    public void afterCommit(TransactionData data, Boolean rulesChanged, GraphDatabaseService database) {
        if (Boolean.TRUE.equals(rulesChanged)) {
            config.invalidate();
        }
    }

    @Override
    public void afterRollback(TransactionData data, Boolean state, GraphDatabaseService database) {
        // nothing was written
    }

    private static void answerProbe(Transaction transaction) {
        Node probe = transaction.findNode(PROBE_LABEL, "id", "probe");
        if (probe != null) {
            probe.setProperty("pluginVersion", PluginVersion.VALUE);
        }
    }
}
