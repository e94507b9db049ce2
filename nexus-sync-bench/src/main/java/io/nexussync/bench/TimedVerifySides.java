package io.nexussync.bench;

import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.verify.StreamPosition;
import io.nexussync.core.verify.Subject;
import io.nexussync.core.verify.VerifyGraph;
import io.nexussync.core.verify.VerifySource;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verify's three ports with a stopwatch on each: time spent inside PostgreSQL's scans, inside the graph's scans (both
 * while the verifier pulls the next entity: reading, the driver's or JDBC's decoding, the adapter's conversion), in
 * reads by key on either side, and waiting for the stream. What is left of a run is the verifier's own work: images,
 * hashes, range digests.
 */
final class TimedVerifySides {
    private final AtomicLong pgScan = new AtomicLong();
    private final AtomicLong graphScan = new AtomicLong();
    private final AtomicLong pgByKey = new AtomicLong();
    private final AtomicLong graphByKey = new AtomicLong();
    private final AtomicLong streamWait = new AtomicLong();
    private final AtomicLong streamWaits = new AtomicLong();
    private final AtomicLong counting = new AtomicLong();
    private final VerifySource source;
    private final VerifyGraph graph;
    private final StreamPosition stream;

    TimedVerifySides(VerifySource source, VerifyGraph graph, StreamPosition stream) {
        this.source = new TimedSource(source);
        this.graph = new TimedGraph(graph);
        this.stream = new TimedStream(stream);
    }

    VerifySource source() {
        return source;
    }

    VerifyGraph graph() {
        return graph;
    }

    StreamPosition stream() {
        return stream;
    }

    void reset() {
        for (AtomicLong a : List.of(pgScan, graphScan, pgByKey, graphByKey, streamWait, streamWaits, counting)) {
            a.set(0);
        }
    }

    Split split() {
        return new Split(Duration.ofNanos(pgScan.get()), Duration.ofNanos(graphScan.get()), Duration.ofNanos(pgByKey.get()),
                Duration.ofNanos(graphByKey.get()), Duration.ofNanos(streamWait.get()), streamWaits.get(), Duration.ofNanos(counting.get()));
    }

    /** One run's time by where it went. */
    record Split(Duration pgScan, Duration graphScan, Duration pgByKey, Duration graphByKey, Duration streamWait, long streamWaits,
                 Duration estimates) {
        String describe(String run, Duration total) {
            long rest = total.toNanos() - pgScan.toNanos() - graphScan.toNanos() - pgByKey.toNanos() - graphByKey.toNanos() - streamWait.toNanos()
                    - estimates.toNanos();
            return String.format("%s, of %.1f s: PostgreSQL scans %.1f s (%.0f%%), Neo4j scans %.1f s (%.0f%%), verify's own work (images, hashes, "
                            + "ranges) %.1f s (%.0f%%), sizes for progress %.1f s, reads by key %.2f s (PostgreSQL) + %.2f s (Neo4j, with the query for nodes without identity), "
                            + "waiting for the stream (peeking the idle slot) %.2f s in %d waits.", run, seconds(total),
                    seconds(pgScan), share(pgScan.toNanos(), total), seconds(graphScan), share(graphScan.toNanos(), total), rest / 1e9,
                    share(rest, total), seconds(estimates), seconds(pgByKey), seconds(graphByKey), seconds(streamWait), streamWaits);
        }

        private static double seconds(Duration d) {
            return d.toNanos() / 1e9;
        }

        private static double share(long nanos, Duration total) {
            return 100.0 * nanos / Math.max(1, total.toNanos());
        }
    }

    private static <T> T timed(AtomicLong into, java.util.function.Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            into.addAndGet(System.nanoTime() - start);
        }
    }

    private final class TimedSource implements VerifySource {
        private final VerifySource delegate;

        TimedSource(VerifySource delegate) {
            this.delegate = delegate;
        }

        @Override
        public RowScan scan(Subject subject) {
            RowScan scan = timed(pgScan, () -> delegate.scan(subject));
            return new RowScan() {
                @Override
                public Lsn position() {
                    return scan.position();
                }

                @Override
                public void close() {
                    timed(pgScan, () -> {
                        scan.close();
                        return null;
                    });
                }

                @Override
                public boolean hasNext() {
                    return timed(pgScan, scan::hasNext);
                }

                @Override
                public Map<String, Object> next() {
                    return timed(pgScan, scan::next);
                }
            };
        }

        @Override
        public KeyedRows read(Subject subject, Collection<String> keys) {
            return timed(pgByKey, () -> delegate.read(subject, keys));
        }

        @Override
        public Map<String, java.time.Instant> lastCommitted(Subject subject, Collection<String> keys) {
            return timed(pgByKey, () -> delegate.lastCommitted(subject, keys));
        }

        @Override
        public long estimatedRows(Subject subject) {
            return timed(counting, () -> delegate.estimatedRows(subject));
        }
    }

    private final class TimedGraph implements VerifyGraph {
        private final VerifyGraph delegate;

        TimedGraph(VerifyGraph delegate) {
            this.delegate = delegate;
        }

        @Override
        public GraphScan<GraphNode> scanNodes(NodeMapping mapping) {
            return timedScan(timed(graphScan, () -> delegate.scanNodes(mapping)));
        }

        @Override
        public List<GraphNode> nodes(NodeMapping mapping, Collection<String> ids) {
            return timed(graphByKey, () -> delegate.nodes(mapping, ids));
        }

        @Override
        public List<UnidentifiedNode> unidentified(NodeMapping mapping, int limit) {
            return timed(graphByKey, () -> delegate.unidentified(mapping, limit));
        }

        @Override
        public GraphScan<GraphPair> scanRelationships(RelationshipMapping mapping) {
            return timedScan(timed(graphScan, () -> delegate.scanRelationships(mapping)));
        }

        @Override
        public List<GraphPair> pairs(RelationshipMapping mapping, Collection<String> pairKeys) {
            return timed(graphByKey, () -> delegate.pairs(mapping, pairKeys));
        }

        @Override
        public long countNodes(NodeMapping mapping) {
            return timed(counting, () -> delegate.countNodes(mapping));
        }

        @Override
        public long countRelationships(RelationshipMapping mapping) {
            return timed(counting, () -> delegate.countRelationships(mapping));
        }

        @Override
        public boolean repairCommitted(String repairId) {
            return delegate.repairCommitted(repairId);
        }

        private <T> GraphScan<T> timedScan(GraphScan<T> scan) {
            return new GraphScan<>() {
                @Override
                public void close() {
                    timed(graphScan, () -> {
                        scan.close();
                        return null;
                    });
                }

                @Override
                public boolean hasNext() {
                    return timed(graphScan, scan::hasNext);
                }

                @Override
                public T next() {
                    return timed(graphScan, scan::next);
                }
            };
        }
    }

    private final class TimedStream implements StreamPosition {
        private final StreamPosition delegate;

        TimedStream(StreamPosition delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean awaitApplied(Lsn position, Duration timeout) throws InterruptedException {
            long start = System.nanoTime();
            try {
                return delegate.awaitApplied(position, timeout);
            } finally {
                streamWait.addAndGet(System.nanoTime() - start);
                streamWaits.incrementAndGet();
            }
        }
    }
}
