package io.nexussync.core.backfill;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.mapping.Mapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a backfill chunk meets the stream (the watermark technique of DBLog, Debezium's incremental
 * snapshots and Sequin's backfills). The backfill writes a low watermark into the WAL, reads a chunk,
 * registers it here and writes a high watermark. The pipeline, reading the stream in commit order,
 * opens a window at the low watermark, notes every entity a streamed change touches while it is open,
 * and at the high watermark lets in the chunk's rows except those entities: their streamed change is
 * newer than (or as new as) what the chunk read, and was applied before. So a chunk row lands at the
 * stream position of its high watermark and never overwrites a newer streamed change.
 *
 * <p>{@link #register} and {@link #forget} are called by the backfill thread; everything else by the
 * pipeline thread.
 */
public final class WatermarkWindows {
    public static final String LOW = "nexus-sync:backfill-low";
    public static final String HIGH = "nexus-sync:backfill-high";

    private record PendingChunk(TableId table, List<RowChange> changes, CompletableFuture<Long> applied) {}

    private record Window(TableId table, Set<String> touched) {}

    /** Touched-set entry for a truncate: every row of the table. (A NUL is never part of a key's text.) */
    private static final String EVERYTHING = "\u0000*";

    private final EntityKeys keys;
    private final Map<String, PendingChunk> registered = new ConcurrentHashMap<>();
    private final Map<String, Window> open = new HashMap<>();
    private final Map<String, CompletableFuture<Set<String>>> witnesses = new ConcurrentHashMap<>();

    public WatermarkWindows(Mapping mapping) {
        this.keys = new EntityKeys(mapping);
    }

    /** @return completes with the number of rows let in once the graph has committed them */
    public CompletableFuture<Long> register(String chunkId, TableId table, List<Map<String, Object>> rows) {
        return registerChanges(chunkId, table, rows.stream().<RowChange>map(row -> new RowChange.Insert(table, row)).toList());
    }

    /**
     * A repair's chunk: rows read again (inserts, written as a refresh) and rows found gone (deletes), in the order they
     * must apply in (a relationship there twice is deleted, then inserted once).
     *
     * @return completes with the number of changes let in once the graph has committed them
     */
    public CompletableFuture<Long> registerChanges(String chunkId, TableId table, List<RowChange> changes) {
        CompletableFuture<Long> applied = new CompletableFuture<>();
        registered.put(chunkId, new PendingChunk(table, List.copyOf(changes), applied));
        return applied;
    }

    /**
     * A window that lets nothing in but tells which entities of the table the stream changed while it was open: verify's
     * check by key asks, to tell a row that held still from one that changed and changed back.
     *
     * @return completes, when the stream reads the high watermark, with the keys it saw changed between the two (every
     *         key of the table, {@link #EVERY_KEY}, after a TRUNCATE)
     */
    public CompletableFuture<Set<String>> registerWitness(String windowId, TableId table) {
        CompletableFuture<Set<String>> touched = new CompletableFuture<>();
        witnesses.put(windowId, touched);
        return touched;
    }

    /** What a witness reports when a TRUNCATE touched every row of its table. */
    public static final String EVERY_KEY = EVERYTHING;

    /** The backfill gave up waiting for this chunk (it reads it again under a new id). */
    public void forget(String chunkId) {
        registered.remove(chunkId);
        witnesses.remove(chunkId);
    }

    /** The low watermark's message content: the chunk id and the table, tab-separated. */
    public static String lowContent(String chunkId, TableId table) {
        return chunkId + "\t" + table;
    }

    public void lowWatermark(String content) {
        int tab = content.indexOf('\t');
        if (tab > 0) {
            open.put(content.substring(0, tab), new Window(TableId.parse(content.substring(tab + 1)), new HashSet<>()));
        }
    }

    public boolean anyOpen() {
        return !open.isEmpty();
    }

    public void observe(RowChange change) {
        if (open.isEmpty()) {
            return;
        }
        if (change instanceof RowChange.Truncate truncate) {
            // Every row the chunk read is older than the truncate: none of them may come back.
            open.values().stream().filter(w -> truncate.tables().contains(w.table())).forEach(w -> w.touched().add(EVERYTHING));
            return;
        }
        TableId table = RowChange.tableOf(change);
        for (Window window : open.values()) {
            if (window.table().equals(table)) {
                window.touched().addAll(keys.touchedBy(change));
            }
        }
    }

    /**
     * Closes the window at the high watermark.
     *
     * @return the chunk's changes (rows as inserts) whose entity no streamed change touched while the window was open;
     *         null when this chunk is not registered (a watermark replayed after a restart, or given up on)
     */
    public List<RowChange> highWatermark(String chunkId) {
        Window window = open.remove(chunkId);
        CompletableFuture<Set<String>> witness = witnesses.remove(chunkId);
        if (witness != null) {
            if (window != null) {
                witness.complete(Set.copyOf(window.touched()));
            }
            return null;
        }
        PendingChunk chunk = registered.get(chunkId);
        if (window == null || chunk == null) {
            return null;
        }
        List<RowChange> untouched = new ArrayList<>(chunk.changes().size());
        if (window.touched().contains(EVERYTHING)) {
            return untouched;
        }
        for (RowChange change : chunk.changes()) {
            if (keys.touchedBy(change).stream().noneMatch(window.touched()::contains)) {
                untouched.add(change);
            }
        }
        return untouched;
    }

    /** The graph committed the batch that held the chunk's rows. */
    public void applied(String chunkId, long rows) {
        PendingChunk chunk = registered.remove(chunkId);
        if (chunk != null) {
            chunk.applied().complete(rows);
        }
    }

    /** A new stream session replays from the checkpoint: windows opened before are opened again by their watermarks. */
    public void streamRestarted() {
        open.clear();
    }
}
