package io.nexussync.postgres.backfill;

import io.nexussync.core.backfill.BackfillReader;
import io.nexussync.core.model.TableId;
import io.nexussync.core.plan.Mapping;
import io.nexussync.core.snapshot.SnapshotSource.Chunk;
import io.nexussync.postgres.PgConnections;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.snapshot.ChunkReader;
import io.nexussync.postgres.snapshot.TableLayout;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Backfill's side of PostgreSQL: watermarks as transactional logical messages, each committed on its
 * own so it takes its place in the stream's commit order, and chunks read in read-only transactions
 * (the {@code --where} condition is operator SQL; read-only keeps it from writing).
 */
public final class PgBackfillReader implements BackfillReader, AutoCloseable {
    private final PgSettings settings;
    private final Mapping mapping;
    private Connection connection;

    public PgBackfillReader(PgSettings settings, Mapping mapping) {
        this.settings = settings;
        this.mapping = mapping;
    }

    @Override
    public void emitWatermark(String prefix, String content) {
        try (var ps = connection().prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
            ps.setString(1, prefix);
            ps.setString(2, content);
            ps.execute();
            connection.commit();
        } catch (SQLException e) {
            reset();
            throw PgErrors.translate("writing a backfill watermark", settings, e);
        }
    }

    @Override
    public Chunk readChunk(TableId table, String where, List<String> afterKey, int limit) {
        try {
            Connection c = connection();
            c.setReadOnly(true);
            try {
                List<String> key = mapping.node(table).map(n -> n.keyColumns()).orElse(null);
                return ChunkReader.read(c, TableLayout.read(c, table, key), where, afterKey, limit);
            } finally {
                c.rollback();
                c.setReadOnly(false);
            }
        } catch (SQLException e) {
            reset();
            throw PgErrors.translate("reading " + table + " for a backfill", settings, e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = PgConnections.open(settings, "backfill");
            ChunkReader.preferCustomPlans(connection);
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private void reset() {
        close();
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // gone either way
            }
            connection = null;
        }
    }
}
