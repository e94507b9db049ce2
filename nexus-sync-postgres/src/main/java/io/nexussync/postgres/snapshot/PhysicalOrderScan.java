package io.nexussync.postgres.snapshot;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.snapshot.SnapshotSource.RowChunks;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One table of the snapshot's view read whole, in physical order: a plain sequential scan through a server-side
 * cursor (pgjdbc's fetch size, inside the snapshot's transaction), {@code chunkSize} rows per round trip. The keyset
 * chunks it replaces ({@code WHERE key > $last ORDER BY key LIMIT n}) visit the heap in key order, which for random
 * keys (uuid) is one heap page per row in no order: at 1,000,000 rows, with the table larger than the server's
 * buffers, the snapshot spent 134 s of 315 s waiting for them. A scan reads each page once, in order.
 *
 * <p>A sequential scan reads the pages the table had when it began: rows the view holds were written before the view
 * was taken, so they are all there; pages added since (the write-back's new row versions, the application's inserts)
 * hold nothing the view sees. The order is good for this view only, which is all the snapshot needs (see
 * {@link io.nexussync.core.snapshot.SnapshotSource#scan}).
 */
final class PhysicalOrderScan implements RowChunks {
    private final PgSettings settings;
    private final Connection connection;
    private final TableLayout layout;
    private final List<TableLayout.Column> columns;
    private final int chunkSize;
    private PreparedStatement statement;
    private ResultSet rows;
    private boolean exhausted;

    PhysicalOrderScan(PgSettings settings, Connection connection, TableLayout layout, int chunkSize) {
        this.settings = settings;
        this.connection = connection;
        this.layout = layout;
        this.columns = List.copyOf(layout.columns().values());
        this.chunkSize = chunkSize;
    }

    @Override
    public List<Map<String, Object>> next() {
        if (exhausted) {
            return List.of();
        }
        try {
            if (rows == null) {
                // Opened at the first chunk, on the thread that reads, so the first round trip is timed as reading.
                statement = connection.prepareStatement("SELECT " + ChunkReader.textColumns(columns) + " FROM " + quote(layout.table()));
                statement.setFetchSize(chunkSize);
                rows = statement.executeQuery();
            }
            List<Map<String, Object>> chunk = new ArrayList<>(chunkSize);
            while (chunk.size() < chunkSize && rows.next()) {
                Map<String, String> text = ChunkReader.text(rows, columns);
                chunk.add(ChunkReader.convert(layout, text, layout.keyColumns().stream().map(text::get).toList()));
            }
            if (chunk.size() < chunkSize) {
                exhausted = true;
                close();
            }
            return chunk;
        } catch (SQLException e) {
            exhausted = true;
            close();
            throw PgErrors.translate("reading " + layout.table() + " for the snapshot", settings, e);
        }
    }

    @Override
    public void close() {
        try {
            if (rows != null) {
                rows.close();
            }
            if (statement != null) {
                statement.close();
            }
        } catch (SQLException ignored) {
            // the snapshot's transaction ends with the source, closing the cursor anyway
        }
    }
}
