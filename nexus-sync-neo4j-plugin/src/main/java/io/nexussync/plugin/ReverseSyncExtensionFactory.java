package io.nexussync.plugin;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.extension.ExtensionFactory;
import org.neo4j.kernel.extension.ExtensionType;
import org.neo4j.kernel.extension.context.ExtensionContext;
import org.neo4j.kernel.lifecycle.Lifecycle;
import org.neo4j.kernel.lifecycle.LifecycleAdapter;
import org.neo4j.logging.internal.LogService;

/**
 * The plugin's entry point, found by Neo4j through {@code META-INF/services}: one instance per database (a database
 * extension), which registers a {@link ReverseSyncListener} for that database when it starts and removes it when it
 * stops. The {@code system} database holds no mapped data and gets none.
 */
public final class ReverseSyncExtensionFactory extends ExtensionFactory<ReverseSyncExtensionFactory.Dependencies> {

    /** What the plugin needs from the server; Neo4j supplies each by its type. */
    public interface Dependencies {
        GraphDatabaseService database();

        DatabaseManagementService databaseManagementService();

        LogService logService();
    }

    public ReverseSyncExtensionFactory() {
        super(ExtensionType.DATABASE, "nexus-sync-reverse");
    }

    @Override
    public Lifecycle newInstance(ExtensionContext context, Dependencies dependencies) {
        return new LifecycleAdapter() {
            private ReverseSyncListener listener;

            @Override
            public void start() {
                String name = dependencies.database().databaseName();
                if (GraphDatabaseSettings.SYSTEM_DATABASE_NAME.equals(name)) {
                    return;
                }
                listener = new ReverseSyncListener(dependencies.logService().getUserLog(ReverseSyncListener.class));
                dependencies.databaseManagementService().registerTransactionEventListener(name, listener);
            }

            @Override
            public void stop() {
                if (listener != null) {
                    dependencies.databaseManagementService().unregisterTransactionEventListener(dependencies.database().databaseName(), listener);
                    listener = null;
                }
            }
        };
    }
}
