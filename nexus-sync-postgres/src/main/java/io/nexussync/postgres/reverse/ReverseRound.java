package io.nexussync.postgres.reverse;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.TableId;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.reverse.Decision;
import io.nexussync.core.reverse.EditDecider;
import io.nexussync.core.reverse.EntityEdit;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.PropertyChange;
import io.nexussync.core.reverse.ReverseBatch;
import io.nexussync.core.reverse.RowRef;
import io.nexussync.core.reverse.RowState;
import io.nexussync.postgres.PgErrors;
import io.nexussync.postgres.PgSettings;
import io.nexussync.postgres.setup.VersionTrigger;
import io.nexussync.postgres.snapshot.ChunkReader;
import io.nexussync.postgres.snapshot.TableLayout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link PgReverseStore#apply} transaction: the graph's position row locked (and its seq read), each edit's rows
 * locked, decided and written under a savepoint of its own, then the conflicts and the new position. A write refused
 * for its data rolls back to the edit's savepoint, and the decider decides again on the rows locked again (the rollback
 * released what was locked after the savepoint).
 */
final class ReverseRound {
    private static final Logger log = LoggerFactory.getLogger(ReverseRound.class);

    private final Connection c;
    private final EditDecider decider;
    private final Map<TableId, MappedTable> tables;
    private final String graph;
    private final PgSettings settings;
    private final Map<TableId, TableLayout> layouts = new HashMap<>();
    private final RowWriter writer;
    private final Map<String, Integer> writesByEntity = new LinkedHashMap<>();
    private final List<ConflictRows.Pending> conflicts = new ArrayList<>();

    ReverseRound(Connection c, EditDecider decider, Map<TableId, MappedTable> tables, String graph, PgSettings settings) {
        this.c = c;
        this.decider = decider;
        this.tables = tables;
        this.graph = graph;
        this.settings = settings;
        this.writer = new RowWriter(c, tables, this::layout);
    }

    ReverseBatch run(List<GraphEdit> entries, boolean positioned) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, 'on', true)")) {
            ps.setString(1, VersionTrigger.WRITER_SETS_VERSION);
            ps.execute();
        }
        long appliedSeq = positioned ? lockPosition() : Long.MIN_VALUE;
        int applied = 0;
        long last = appliedSeq;
        for (GraphEdit entry : entries) {
            if (positioned && entry.seq() <= appliedSeq) {
                continue;
            }
            for (EntityEdit edit : entry.edits()) {
                applyEdit(entry, edit);
            }
            applied++;
            last = entry.seq();
        }
        if (applied == 0) {
            return ReverseBatch.NONE;
        }
        ConflictRows.insert(c, conflicts);
        if (positioned) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE nexus_sync.reverse_position SET applied_seq = ?, applied_at = now() WHERE graph = ?")) {
                ps.setLong(1, last);
                ps.setString(2, graph);
                ps.executeUpdate();
            }
        }
        return new ReverseBatch(applied, writesByEntity, conflicts.stream().map(ConflictRows.Pending::record).toList());
    }

    /** Locks the graph's position row (made at 0 the first time) for the transaction: one applier at a time, and its seq. */
    private long lockPosition() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO nexus_sync.reverse_position AS p (graph, applied_seq) VALUES (?, 0) "
                + "ON CONFLICT (graph) DO UPDATE SET graph = p.graph RETURNING p.applied_seq")) {
            ps.setString(1, graph);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void applyEdit(GraphEdit entry, EntityEdit edit) throws SQLException {
        List<RowRef> refs = decider.rowsOf(edit);
        String entity = edit.entity();
        Map<RowWriter.RowKey, Long> writtenBefore = writer.mark();
        Savepoint savepoint = c.setSavepoint();
        Map<RowRef, RowState> rows = lock(refs, savepoint);
        Decision decision = decider.decide(entry, edit, rows);
        try {
            int writes = execute(decision, rows);
            keep(entity, writes, decision, edit);
        } catch (Refused refused) {
            c.rollback(savepoint);
            writer.reset(writtenBefore);
            // The rollback released the locks taken after the savepoint: the refusal is decided on the rows locked again.
            Map<RowRef, RowState> again = lock(refs, savepoint);
            Decision refusal = decider.refused(entry, edit, again, refused.error);
            Map<RowWriter.RowKey, Long> beforeRefusal = writer.mark();
            try {
                keep(entity, execute(refusal, again), refusal, edit);
            } catch (Refused alsoRefused) {
                // Not even the bump that shows the row's state again: the conflict is logged, the row left as it is.
                c.rollback(savepoint);
                writer.reset(beforeRefusal);
                log.warn("PostgreSQL refused the graph edit of {} {} and then the version bump of its refusal too: {}", entity,
                        refs.isEmpty() ? "" : refs.get(0).entityKey(), alsoRefused.error.getMessage());
                List<ConflictRecord> records = refusal.conflicts().stream().map(r -> withReason(r, r.reason()
                        + "; the row's version bump was refused too (" + alsoRefused.error.getMessage() + ")")).toList();
                keep(entity, 0, new Decision(List.of(), records), edit);
            }
        }
        c.releaseSavepoint(savepoint);
    }

    private void keep(String entity, int writes, Decision decision, EntityEdit edit) {
        if (writes > 0) {
            writesByEntity.merge(entity, writes, Integer::sum);
        }
        for (ConflictRecord record : decision.conflicts()) {
            conflicts.add(new ConflictRows.Pending(record, graphValueCast(record, edit)));
        }
    }

    /**
     * The rows the edit names, locked, as the stream would carry them. A key that is no value of its column (a node
     * whose key the graph made up) names no row: the savepoint undoes the failed read, and the keys are read one by one.
     */
    private Map<RowRef, RowState> lock(List<RowRef> refs, Savepoint savepoint) throws SQLException {
        Map<RowRef, RowState> rows = new LinkedHashMap<>();
        Map<TableId, List<RowRef>> byTable = new LinkedHashMap<>();
        for (RowRef ref : refs) {
            byTable.computeIfAbsent(ref.table(), t -> new ArrayList<>()).add(ref);
        }
        for (List<RowRef> sameTable : byTable.values()) {
            try {
                lockInto(sameTable, rows);
            } catch (SQLException e) {
                if (!RowsByKey.badKey(e)) {
                    throw e;
                }
                c.rollback(savepoint);
                rows.clear();
                return lockOneByOne(refs);
            }
        }
        return rows;
    }

    private Map<RowRef, RowState> lockOneByOne(List<RowRef> refs) throws SQLException {
        Map<RowRef, RowState> rows = new LinkedHashMap<>();
        for (RowRef ref : refs) {
            Savepoint one = c.setSavepoint();
            try {
                lockInto(List.of(ref), rows);
                c.releaseSavepoint(one);
            } catch (SQLException e) {
                if (!RowsByKey.badKey(e)) {
                    throw e;
                }
                c.rollback(one);
            }
        }
        return rows;
    }

    private void lockInto(List<RowRef> refs, Map<RowRef, RowState> rows) throws SQLException {
        TableId table = refs.get(0).table();
        MappedTable mapped = mapped(table);
        TableLayout layout = layout(table);
        List<String> columns = List.copyOf(layout.columns().keySet());
        for (RowsByKey.Found found : RowsByKey.read(c, layout, refs, columns, true, true)) {
            Map<String, String> text = found.text();
            Map<String, Object> values = ChunkReader.convert(layout, text, layout.keyColumns().stream().map(text::get).toList());
            String pgVersion = mapped.versionColumn() == null ? null : text.get(mapped.versionColumn());
            String graphVersion = mapped.graphVersionColumn() == null ? null : text.get(mapped.graphVersionColumn());
            rows.put(refs.get(found.index()), new RowState(values, pgVersion == null ? 0 : Long.parseLong(pgVersion), graphVersion == null ? null : Long.parseLong(graphVersion),
                    found.lastCommitted()));
        }
    }

    private TableLayout layout(TableId table) throws SQLException {
        TableLayout layout = layouts.get(table);
        if (layout == null) {
            layout = TableLayout.read(c, table, mapped(table).keyColumns());
            layouts.put(table, layout);
        }
        return layout;
    }

    /** @return the rows written */
    private int execute(Decision decision, Map<RowRef, RowState> rows) throws SQLException {
        try {
            return writer.execute(decision.writes(), rows);
        } catch (RowWriter.Failed failed) {
            SyncException translated = PgErrors.translateWrite("the write to " + failed.table, settings, failed.cause);
            if (translated.rejectsData()) {
                throw new Refused(translated);
            }
            throw failed.cause;
        }
    }

    /** The graph's proposed value of a property conflict's column, as the column's type reads it (null: unknown or none). */
    private String graphValueCast(ConflictRecord record, EntityEdit edit) {
        if (record.kind() != ConflictRecord.Kind.PROPERTY || record.property() == null) {
            return null;
        }
        MappedTable mapped = tables.get(record.row().table());
        TableLayout layout = layouts.get(record.row().table());
        if (mapped == null || layout == null || !layout.columns().containsKey(record.property())) {
            return null;
        }
        String property = mapped.propertyName(record.property());
        Object proposed = edit.accept(new ProposedValue(property));
        return proposed == null ? null : CastText.of(proposed, layout.column(record.property()).sqlType());
    }

    private MappedTable mapped(TableId table) {
        MappedTable mapped = tables.get(table);
        if (mapped == null) {
            throw new IllegalArgumentException(table + " is not a mapped table");
        }
        return mapped;
    }

    /** A write PostgreSQL refused for its data. */
    private static final class Refused extends RuntimeException {
        final SyncException error;

        Refused(SyncException error) {
            super(error.getMessage(), error, false, false);
            this.error = error;
        }
    }

    private static ConflictRecord withReason(ConflictRecord r, String reason) {
        return new ConflictRecord(r.row(), r.entity(), r.kind(), r.property(), r.rule(), r.decision(), r.rowPgVersion(), r.rowGraphVersion(),
                r.basePgVersion(), r.graphVersion(), r.postgresValue(), r.graphValue(), r.postgresCommittedAt(), r.graphCommittedAt(),
                r.outboxSeq(), reason);
    }


    /** The value an edit gives a property (its new value), or null when the edit does not name it. */
    private static final class ProposedValue implements EntityEdit.Visitor<Object> {
        private final String property;

        ProposedValue(String property) {
            this.property = property;
        }

        private Object changed(Map<String, PropertyChange> changes) {
            PropertyChange change = changes.get(property);
            return change == null ? null : change.newValue();
        }

        @Override
        public Object nodeUpdated(EntityEdit.NodeUpdated edit) {
            return changed(edit.changes());
        }

        @Override
        public Object nodeCreated(EntityEdit.NodeCreated edit) {
            return edit.properties().get(property);
        }

        @Override
        public Object nodeDeleted(EntityEdit.NodeDeleted edit) {
            return null;
        }

        @Override
        public Object relationshipCreated(EntityEdit.RelationshipCreated edit) {
            return edit.properties().get(property);
        }

        @Override
        public Object relationshipDeleted(EntityEdit.RelationshipDeleted edit) {
            return null;
        }

        @Override
        public Object relationshipUpdated(EntityEdit.RelationshipUpdated edit) {
            return changed(edit.changes());
        }
    }
}
