package io.nexussync.core.verify;

import io.nexussync.core.backfill.WatermarkWindows;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.model.TableId;
import io.nexussync.core.verify.VerifyGraph.GraphNode;
import io.nexussync.core.verify.VerifyGraph.GraphPair;
import io.nexussync.core.verify.VerifyGraph.GraphScan;
import io.nexussync.core.verify.VerifyGraph.UnidentifiedNode;
import io.nexussync.core.verify.VerifySource.KeyedRows;
import io.nexussync.core.verify.VerifySource.RowScan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consistency check: every mapped table against the graph, by ranges of keys ({@link RangeComparison}), every
 * suspect checked again by key once the stream has applied everything committed before it was read, and each
 * confirmed finding logged (and, when asked, handed to the repair by rule). Reads only: repairs are written by the
 * service ({@link RepairExecutor}) through the stream.
 *
 * <p>A suspect is confirmed only if its row held still from before the wait until after the graph was read: the two reads
 * of the row are the same and (in the service) the stream's {@link ChangeWitness} read no change of it in between. Then the
 * graph, read after the stream passed the first read's position and applying each entity's changes in order, must show
 * that row. Outside the service there is no witness, and a row deleted and inserted again between the reads reads the
 * same: there a difference must show in two rounds in a row. A row that keeps changing is checked again, up to
 * {@link Settings#rounds()} times, and otherwise counted as unsettled, never reported as a discrepancy.
 */
public final class Verifier {
    private static final Logger log = LoggerFactory.getLogger(Verifier.class);

    /**
     * @param rangeSize     keys per range (the unit a digest covers)
     * @param recheckBatch  suspects checked by key together (bounds the memory a table full of differences takes)
     * @param streamTimeout how long a check by key waits for the stream to pass the position it read at
     * @param reportLimit   findings kept in the report (all are logged)
     */
    public record Settings(int rangeSize, int recheckBatch, Duration streamTimeout, int rounds, int reportLimit, int unidentifiedLimit) {
        public static final Settings DEFAULTS = new Settings(1_000, 2_000, Duration.ofSeconds(60), 5, 1_000, 10_000);
    }

    /** @param table null for every mapped table; by who asked (logged with each finding) */
    public record Request(TableId table, boolean repair, boolean dryRun, String by) {}

    private final Mapping mapping;
    private final VerifySource source;
    private final VerifyGraph graph;
    private final StreamPosition stream;
    private final ReconciliationLog reconciliations;
    private final Clock clock;
    private final Settings settings;
    private final VerifyProgress progress;
    private final ChangeWitness witness;
    /** Whether a row's cross-reference column is held to its node's elementId (false: it holds another graph's). */
    private final boolean crossReferences;

    /** Without a witness (a verify outside the service): a difference must show in two rounds in a row. */
    public Verifier(Mapping mapping, VerifySource source, VerifyGraph graph, StreamPosition stream, ReconciliationLog reconciliations,
                    Clock clock, Settings settings) {
        this(mapping, source, graph, stream, reconciliations, clock, settings, null);
    }

    /** @param witness the stream's account of which entities changed while a suspect was checked (the service has one), or null */
    public Verifier(Mapping mapping, VerifySource source, VerifyGraph graph, StreamPosition stream, ReconciliationLog reconciliations,
                    Clock clock, Settings settings, ChangeWitness witness) {
        this(mapping, source, graph, stream, reconciliations, clock, settings, witness, true);
    }

    private Verifier(Mapping mapping, VerifySource source, VerifyGraph graph, StreamPosition stream, ReconciliationLog reconciliations,
                     Clock clock, Settings settings, ChangeWitness witness, boolean crossReferences) {
        this.crossReferences = crossReferences;
        this.witness = witness;
        this.mapping = mapping;
        this.source = source;
        this.graph = graph;
        this.stream = stream;
        this.reconciliations = reconciliations;
        this.clock = clock;
        this.settings = settings;
        this.progress = new VerifyProgress(clock);
    }

    /**
     * This verifier, but leaving the rows' cross-reference column out of the comparison: for a graph that does not write
     * back ({@code sync.write-back} off), whose rows hold another graph's elementIds.
     */
    public Verifier withoutCrossReferences() {
        return new Verifier(mapping, source, graph, stream, reconciliations, clock, settings, witness, false);
    }

    public VerifyProgress progress() {
        return progress;
    }

    public Mapping mapping() {
        return mapping;
    }

    public VerifyReport run(Request request) throws InterruptedException {
        List<Subject> subjects = Subject.of(mapping, request.table());
        if (subjects.isEmpty()) {
            throw SyncException.persistent("verify: " + request.table() + " is not a mapped table (mapped: " + mapping.tables() + ")", null);
        }
        Instant started = clock.instant();
        long total = 0;
        for (Subject subject : subjects) {
            total += source.estimatedRows(subject) + subject.match(n -> graph.countNodes(n.mapping()), r -> graph.countRelationships(r.mapping()));
        }
        progress.started(total);
        Run run = new Run(request);
        List<VerifyReport.SubjectResult> results = new ArrayList<>();
        long entitiesBefore = 0;
        for (Subject subject : subjects) {
            results.add(compare(subject, run, entitiesBefore));
            entitiesBefore += results.get(results.size() - 1).rows() + results.get(results.size() - 1).graphEntities();
        }
        progress.ended(run.findingCount);
        VerifyReport report = new VerifyReport(started, Duration.between(started, clock.instant()), List.copyOf(results), List.copyOf(run.logged),
                run.findingCount, run.unconfirmed, run.unsettled, List.copyOf(run.planned), request.dryRun());
        log.info("verify{}: {} entities in {} ms, {} findings, {} unconfirmed, {} unsettled", request.table() == null ? "" : " " + request.table(),
                report.entities(), report.took().toMillis(), report.findingCount(), report.unconfirmed(), report.unsettled());
        return report;
    }

    /** The seed's {@code verify_neo4j_entity}: one row's entity, checked by key as a suspect is. */
    public VerifyReport checkEntity(Request request, String key) throws InterruptedException {
        List<Subject> subjects = Subject.of(mapping, request.table());
        if (request.table() == null || subjects.isEmpty()) {
            throw SyncException.persistent("verify-entity: name a mapped table as schema.table (mapped: " + mapping.tables() + ")", null);
        }
        Instant started = clock.instant();
        Subject subject = subjects.get(0);
        Run run = new Run(request);
        recheck(subject, List.of(key), run);
        return new VerifyReport(started, Duration.between(started, clock.instant()),
                List.of(new VerifyReport.SubjectResult(subject.table().toString(), subject.graphName(), 1, 1, 0, 0, 1, run.findingCount)),
                List.copyOf(run.logged), run.findingCount, run.unconfirmed, run.unsettled, List.copyOf(run.planned), request.dryRun());
    }

    private VerifyReport.SubjectResult compare(Subject subject, Run run, long entitiesBefore) throws InterruptedException {
        long findingsBefore = run.findingCount;
        List<String> suspects = new ArrayList<>();
        RangeComparison.Outcome outcome;
        try (RowScan rows = source.scan(subject); GraphScan<EntityImage> entities = graphScan(subject)) {
            Iterator<EntityImage> expected = rowImages(subject, rows);
            outcome = RangeComparison.run(expected, entities, settings.rangeSize(), key -> {
                suspects.add(key);
                if (suspects.size() >= settings.recheckBatch()) {
                    recheckUninterrupted(subject, suspects, run);
                }
            }, (entities1, ranges) -> progress.at(subject.table().toString(), ranges, entitiesBefore + entities1, run.suspects + suspects.size(),
                    run.findingCount));
        }
        if (run.interrupted != null) {
            throw run.interrupted;
        }
        recheck(subject, suspects, run);
        subject.match(nodes -> {
            for (UnidentifiedNode stray : unidentified(nodes.mapping())) {
                run.found(new Finding(FindingKind.NODE_UNIDENTIFIED, subject.table().toString(), subject.graphName(), stray.elementId(),
                        stray.elementId(), List.copyOf(new java.util.TreeSet<>(stray.propertyNames()))));
            }
            return null;
        }, relationships -> null);
        return new VerifyReport.SubjectResult(subject.table().toString(), subject.graphName(), outcome.rows(), outcome.graphEntities(),
                outcome.ranges(), outcome.differingRanges(), outcome.suspects(), run.findingCount - findingsBefore);
    }

    /**
     * Nodes of the label without identity, seen in two reads: Neo4j reads committed data, so a node another transaction
     * deletes while the first read passes it can show with no properties at all. The stream never writes a node without
     * its identity, so one seen twice is there.
     */
    private List<UnidentifiedNode> unidentified(io.nexussync.core.mapping.NodeMapping mapping) {
        List<UnidentifiedNode> first = graph.unidentified(mapping, settings.unidentifiedLimit());
        if (first.isEmpty()) {
            return first;
        }
        Set<String> again = new java.util.HashSet<>();
        graph.unidentified(mapping, settings.unidentifiedLimit()).forEach(node -> again.add(node.elementId()));
        return first.stream().filter(node -> again.contains(node.elementId())).toList();
    }

    /** Inside the range comparison's callback, which cannot throw: an interruption ends the scan and is thrown after it. */
    private void recheckUninterrupted(Subject subject, List<String> suspects, Run run) {
        try {
            recheck(subject, suspects, run);
            suspects.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.interrupted = e;
            throw new IllegalStateException("verify interrupted", e);
        }
    }

    /**
     * The check by key, in rounds: read the rows, wait for the stream to pass that read, read the graph, read the rows
     * again. A key whose row changed in between (the two reads differ, or the stream's witness saw a change of it) is
     * settled if the graph shows either state the row had (the stream at work), and otherwise goes to the next round; so
     * does, without a witness, a difference seen in one round only. What is left after the last round is unsettled.
     */
    private void recheck(Subject subject, List<String> suspects, Run run) throws InterruptedException {
        List<String> pending = List.copyOf(suspects);
        run.suspects += pending.size();
        Map<String, List<Finding>> seenOnce = new HashMap<>();
        int rounds = witness != null ? settings.rounds() : settings.rounds() + 1;
        for (int round = 0; round < rounds && !pending.isEmpty(); round++) {
            ChangeWitness.Watch watch = witness == null ? null : witness.watch(subject.table());
            KeyedRows first = source.read(subject, pending);
            if (!stream.awaitApplied(first.position(), settings.streamTimeout())) {
                if (watch != null) {
                    watch.close(Duration.ZERO);
                }
                log.warn("verify: the stream did not pass {} within {} s; {} suspects of {} left unconfirmed", first.position(),
                        settings.streamTimeout().toSeconds(), pending.size(), subject.table());
                run.unconfirmed += pending.size();
                return;
            }
            Map<String, EntityImage> inGraph = graphImages(subject, pending);
            KeyedRows second = source.read(subject, pending);
            Set<String> touched = watch == null ? Set.of() : watch.close(settings.streamTimeout());
            if (touched == null) {
                log.warn("verify: the stream did not read verify's watermark within {} s; {} suspects of {} left unconfirmed",
                        settings.streamTimeout().toSeconds(), pending.size(), subject.table());
                run.unconfirmed += pending.size();
                return;
            }
            boolean everyKeyTouched = touched.contains(WatermarkWindows.EVERY_KEY);
            Map<String, EntityImage> before = rowImages(subject, first);
            Map<String, EntityImage> after = rowImages(subject, second);
            List<String> moving = new ArrayList<>();
            for (String key : pending) {
                EntityImage was = before.get(key);
                EntityImage is = after.get(key);
                if (everyKeyTouched || touched.contains(key) || (was == null ? is != null : is == null || !was.sameAs(is))) {
                    seenOnce.remove(key);
                    // The graph showing either state the row had is the stream at work, not a discrepancy: settled.
                    if (!ImageDiff.findings(subject, key, was, inGraph.get(key)).isEmpty()
                            && !ImageDiff.findings(subject, key, is, inGraph.get(key)).isEmpty()) {
                        moving.add(key);
                    }
                    continue;
                }
                List<Finding> findings = ImageDiff.findings(subject, key, is, inGraph.get(key));
                if (findings.isEmpty()) {
                    seenOnce.remove(key);
                } else if (witness != null || findings.equals(seenOnce.get(key))) {
                    findings.forEach(run::found);
                } else {
                    // Without a witness, a row changed and changed back between the reads looks still: ask again.
                    seenOnce.put(key, findings);
                    moving.add(key);
                }
            }
            pending = moving;
        }
        run.unsettled += pending.size();
    }

    private Map<String, EntityImage> rowImages(Subject subject, KeyedRows rows) {
        Map<String, EntityImage> images = new HashMap<>();
        for (Map<String, Object> row : rows.rows()) {
            EntityImage image = ExpectedImages.of(subject, row, crossReferences);
            images.put(image.key(), image);
        }
        return images;
    }

    private Map<String, EntityImage> graphImages(Subject subject, List<String> keys) {
        Map<String, EntityImage> images = new HashMap<>();
        subject.match(nodes -> {
            for (GraphNode node : graph.nodes(nodes.mapping(), keys)) {
                images.put(node.id(), GraphImages.node(nodes.mapping(), node, crossReferences));
            }
            return null;
        }, relationships -> {
            for (GraphPair pair : graph.pairs(relationships.mapping(), keys)) {
                images.put(pair.key(), GraphImages.pair(relationships.mapping(), pair));
            }
            return null;
        });
        return images;
    }

    private Iterator<EntityImage> rowImages(Subject subject, RowScan rows) {
        return new Mapped<>(rows, row -> EntityKeys.of(subject, row) == null ? null : ExpectedImages.of(subject, row, crossReferences));
    }

    private GraphScan<EntityImage> graphScan(Subject subject) {
        return subject.match(
                nodes -> mapped(graph.scanNodes(nodes.mapping()), node -> GraphImages.node(nodes.mapping(), node, crossReferences)),
                relationships -> mapped(graph.scanRelationships(relationships.mapping()), pair -> GraphImages.pair(relationships.mapping(), pair)));
    }

    private static <T> GraphScan<EntityImage> mapped(GraphScan<T> scan, Function<T, EntityImage> image) {
        Mapped<T> images = new Mapped<>(scan, image);
        return new GraphScan<>() {
            @Override
            public boolean hasNext() {
                return images.hasNext();
            }

            @Override
            public EntityImage next() {
                return images.next();
            }

            @Override
            public void close() {
                scan.close();
            }
        };
    }

    /** An iterator through a mapping function that skips what it maps to null (a row without its key). */
    private static final class Mapped<T> implements Iterator<EntityImage> {
        private final Iterator<T> source;
        private final Function<T, EntityImage> image;
        private EntityImage next;

        Mapped(Iterator<T> source, Function<T, EntityImage> image) {
            this.source = source;
            this.image = image;
        }

        @Override
        public boolean hasNext() {
            while (next == null && source.hasNext()) {
                next = image.apply(source.next());
            }
            return next != null;
        }

        @Override
        public EntityImage next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            EntityImage e = next;
            next = null;
            return e;
        }
    }

    /** One run's findings, as they are confirmed: logged (unless a dry run) and, when asked, handed to repair. */
    private final class Run {
        final Request request;
        final List<LoggedFinding> logged = new ArrayList<>();
        final List<RepairRules.Decision> planned = new ArrayList<>();
        long findingCount;
        long suspects;
        long unconfirmed;
        long unsettled;
        InterruptedException interrupted;

        Run(Request request) {
            this.request = request;
        }

        void found(Finding finding) {
            findingCount++;
            RepairRules.Decision decision = request.repair() ? RepairRules.decide(finding) : null;
            Instant now = clock.instant();
            long id = 0;
            FindingStatus status = FindingStatus.FOUND;
            if (!request.dryRun()) {
                id = reconciliations.found(finding, request.by());
                if (decision != null && decision.waitsForPerson()) {
                    reconciliations.waiting(id, decision.rule(), decision.reason());
                    status = FindingStatus.WAITING;
                } else if (decision != null) {
                    reconciliations.requestRepair(List.of(id), request.by());
                    status = FindingStatus.REPAIR_REQUESTED;
                }
            }
            if (logged.size() < settings.reportLimit()) {
                logged.add(new LoggedFinding(id, finding, status, decision == null ? RepairAction.NONE : decision.action(),
                        decision == null ? null : decision.rule(), request.by(), decision == null ? null : decision.reason(), now, null, null));
                if (decision != null) {
                    planned.add(decision);
                }
            }
        }
    }
}
