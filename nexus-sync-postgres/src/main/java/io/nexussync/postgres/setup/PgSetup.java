package io.nexussync.postgres.setup;

import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.TableId;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.slot.SlotRelease;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code nexus-sync setup}: everything PostgreSQL needs before capture, in order, idempotent and
 * serialised by an advisory lock so two instances starting together do not race.
 */
public final class PgSetup {
    private static final Logger log = LoggerFactory.getLogger(PgSetup.class);
    private static final long SETUP_LOCK = 0x6e65787573L; // "nexus"

    private PgSetup() {}

    /** Everything but the slot, which the first start creates together with its snapshot. */
    public static void run(PgSettings settings, Mapping mapping, boolean createReferenceTables) {
        run(settings, mapping, createReferenceTables, Set.of());
    }

    /** @param revertRefused tables whose refused changes are reverted in PostgreSQL (they get REPLICA IDENTITY FULL) */
    public static void run(PgSettings settings, Mapping mapping, boolean createReferenceTables, Set<TableId> revertRefused) {
        try (Connection c = PgConnections.open(settings, "setup")) {
            ServerReadiness.check(c, settings.slot());
            if (reverseSyncOn(mapping)) {
                ServerReadiness.commitTimestampWarning(c).ifPresent(log::warn);
            }
            ServerReadiness.preparedTransactionsWarning(c).ifPresent(log::warn);
            TableAdoption.execute(c, "SELECT pg_advisory_lock(" + SETUP_LOCK + ")");
            try {
                Migrations.bookkeeping(settings);
                if (createReferenceTables) {
                    Migrations.contextNexusTables(settings);
                }
                TableAdoption.adopt(c, mapping, revertRefused);
                ReplicationObjects.ensurePublication(c, settings.publication(), mapping.tables());
                ReplicationObjects.slotExists(c, settings.slot());
            } finally {
                TableAdoption.execute(c, "SELECT pg_advisory_unlock(" + SETUP_LOCK + ")");
            }
        } catch (SQLException e) {
            throw PgErrors.translate("setup", settings, e);
        } catch (FlywayException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw PgErrors.translate("the schema migration", settings, sql);
            }
            throw SyncException.persistent(ErrorText.withDetail("the schema migration failed (" + e.getClass().getSimpleName() + ")", e.getMessage()), e);
        }
    }

    private static boolean reverseSyncOn(Mapping mapping) {
        return mapping.tables().stream().anyMatch(table -> mapping.reverseRules(table).enabled());
    }

    /**
     * Makes way for a new slot and its snapshot: drops the slot if it exists, after checking that nobody
     * streams from it. Called only when the graph holds no stream checkpoint from it.
     */
    public static void dropSlotForSnapshot(PgSettings settings) {
        onFreeSlot(settings, "dropping the slot", c -> ReplicationObjects.dropSlot(c, settings.slot()));
    }

    /** Connects and checks that nobody else streams from the slot (waiting for one going away: {@link SlotRelease}). */
    public static void checkSlotFree(PgSettings settings) {
        onFreeSlot(settings, "checking the slot", c -> { });
    }

    /** Once nobody streams from the slot (waiting for one going away: {@link SlotRelease}), runs {@code then} on the same connection. */
    private static void onFreeSlot(PgSettings settings, String purpose, SlotWork then) {
        SlotRelease.awaiting(settings.slot(), () -> {
            try (Connection c = PgConnections.open(settings, "setup")) {
                ServerReadiness.checkSlotFree(c, settings.slot());
                then.run(c);
                return null;
            } catch (SQLException e) {
                throw PgErrors.translate(purpose, settings, e);
            }
        });
    }

    @FunctionalInterface
    private interface SlotWork {
        void run(Connection c) throws SQLException;
    }
}
