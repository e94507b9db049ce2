package io.nexussync.app.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.app.config.ReverseSettings;
import io.nexussync.app.config.ReverseSettings.Mode;
import io.nexussync.app.runtime.Supervisor;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.RetryPolicy;
import io.nexussync.core.mapping.ConflictRule;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.TableId;
import io.nexussync.core.reverse.ConflictRecord;
import io.nexussync.core.reverse.EditDecider;
import io.nexussync.core.reverse.EntityEdit;
import io.nexussync.core.reverse.GraphEdit;
import io.nexussync.core.reverse.GraphOutbox;
import io.nexussync.core.reverse.PolledGraph;
import io.nexussync.core.reverse.PropertyChange;
import io.nexussync.core.reverse.ReverseBatch;
import io.nexussync.core.reverse.ReverseCatalog;
import io.nexussync.core.reverse.ReverseStore;
import io.nexussync.core.reverse.RowRef;
import io.nexussync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reverse session on fakes of both sides: the mode, what the plugin is told, the rounds, the waits, the failures. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReverseComponentTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final Map<TableId, List<String>> COLUMNS = Map.of(
            TableId.parse("public.content_items"), List.of("id", "title", "content_type", "metadata", "access_level", "view_count", "body",
                    "created_by", "pg_version", "neo4j_version", "neo4j_node_id"),
            TableId.parse("public.threads"), List.of("id", "title", "status", "created_by", "pg_version", "neo4j_version", "neo4j_node_id"),
            TableId.parse("public.messages"), List.of("id", "thread_id", "role", "body", "token_count", "pg_version", "neo4j_version", "neo4j_node_id"),
            TableId.parse("public.tags"), List.of("id", "name", "pg_version", "neo4j_version", "neo4j_node_id"),
            TableId.parse("public.thread_content"), List.of("thread_id", "content_id", "relevance_score", "position", "pg_version"),
            TableId.parse("public.content_tags"), List.of("content_id", "tag_id", "weight", "pg_version"));

    private final ManualClock clock = new ManualClock(T0);
    private final FakeGraph graph = new FakeGraph();
    private final FakeStore store = new FakeStore();
    private final FakeSides sides = new FakeSides();

    @Test
    void shouldPublishTheCatalogWhenThePluginAnswersAndApplyTheOutboxInSeqOrderWaitingOnlyWhenItIsEmpty() throws Exception {
        graph.plugin = "0.1.0";
        graph.add(edit(1, "a"), edit(2, "b"), edit(3, "c"));
        ReverseComponent reverse = new ReverseComponent(sides, new ReverseSettings(Mode.AUTO, Duration.ofSeconds(1), Duration.ofMillis(50), 2), clock);
        List<List<Long>> observed = new ArrayList<>();
        reverse.observe((entries, batch, at) -> observed.add(entries.stream().map(GraphEdit::seq).toList()));
        RecordedWaits context = new RecordedWaits(2);

        reverse.run(context);

        assertThat(graph.published).as("the plugin is told what flows back").hasSize(1);
        assertThat(graph.published.get(0).node("ContentItem").orElseThrow().properties()).contains("title", "accessLevel").doesNotContain("body");
        assertThat(graph.withdrawn).isZero();
        assertThat(store.applied).as("two rounds of at most two entries, in seq order").containsExactly(List.of(1L, 2L), List.of(3L));
        assertThat(graph.outbox).as("removed once PostgreSQL had them").isEmpty();
        assertThat(observed).containsExactly(List.of(1L, 2L), List.of(3L));
        assertThat(context.waits).as("rounds that took entries read again at once; only rounds that found the outbox empty wait")
                .containsExactly(Duration.ofMillis(50), Duration.ofMillis(50));
        ReverseComponent.Status status = reverse.status();
        assertThat(status.mode()).isEqualTo(Mode.PLUGIN);
        assertThat(status.pluginVersion()).isEqualTo("0.1.0");
        assertThat(status.entriesApplied()).isEqualTo(3);
        assertThat(status.appliedByEntity()).containsEntry("ContentItem", 3L);
        assertThat(status.outboxEntries()).isZero();
        assertThat(status.lastError()).isNull();
    }

    @Test
    void shouldReadTheBacklogOnlyWhileARoundTakesAFullBatch() throws Exception {
        graph.plugin = "0.1.0";
        for (int seq = 1; seq <= 5; seq++) {
            graph.add(edit(seq, "v" + seq));
        }
        graph.onNext = () -> clock.advance(Duration.ofMillis(600));
        ReverseComponent reverse = new ReverseComponent(sides, new ReverseSettings(Mode.PLUGIN, Duration.ofSeconds(1), Duration.ofMillis(50), 2), clock);

        reverse.run(new RecordedWaits(1));

        assertThat(graph.backlogReads).as("at the start; after the second full round (a second later), not the first; not after the emptying round")
                .isEqualTo(2);
        assertThat(reverse.status().outboxEntries()).isZero();
        assertThat(reverse.status().oldestWaitingAt()).isNull();
    }

    @Test
    void shouldShowTheOldestWaitingEntrysAgeAsTheLag() {
        ReverseComponent.Status status = new ReverseComponent.Status(Mode.AUTO, Mode.PLUGIN, "0.1.0", ReverseComponent.State.RUNNING, 0, Map.of(),
                Map.of(), 4L, T0, null, null);
        assertThat(status.lag(T0.plusSeconds(3))).isEqualTo(Duration.ofSeconds(3));
        assertThat(status.lag(T0.minusSeconds(1))).as("clocks apart").isEqualTo(Duration.ZERO);
    }

    @Test
    void shouldPollEveryPollIntervalAndTellThePluginToRecordNothingWhenAutoFindsNoPlugin() throws Exception {
        graph.polled.add(new PolledGraph.NodeState("7", "4:x:7", 3L, 2L, Map.of("title", "edited")));
        store.graphVersions.put("7", 1L);
        ReverseComponent reverse = new ReverseComponent(sides, new ReverseSettings(Mode.AUTO, Duration.ofMillis(700), Duration.ofMillis(50), 100), clock);
        RecordedWaits context = new RecordedWaits(2);

        reverse.run(context);

        assertThat(graph.published).isEmpty();
        assertThat(graph.withdrawn).isEqualTo(1);
        assertThat(graph.nextCalls).as("no outbox is read").isZero();
        assertThat(context.waits).containsExactly(Duration.ofMillis(700), Duration.ofMillis(700));
        assertThat(store.polledEdits).as("the node ahead of its row, once per pass (the fake row never catches up)").hasSize(3).allSatisfy(edit ->
                assertThat(((EntityEdit.NodeUpdated) edit).changes().get("title").newValue()).isEqualTo("edited"));
        assertThat(reverse.status().mode()).isEqualTo(Mode.POLL);
        assertThat(reverse.status().outboxEntries()).as("no outbox in this mode").isNull();
    }

    @Test
    void shouldPollWithoutProbingWhenToldToEvenWhereThePluginIsInstalled() throws Exception {
        graph.plugin = "0.1.0";
        graph.add(edit(1, "a"));
        ReverseComponent reverse = new ReverseComponent(sides, new ReverseSettings(Mode.POLL, Duration.ofSeconds(1), Duration.ofMillis(50), 100), clock);

        reverse.run(new RecordedWaits(1));

        assertThat(graph.probes).isZero();
        assertThat(graph.withdrawn).as("the plugin records nothing nobody reads").isEqualTo(1);
        assertThat(store.applied).isEmpty();
        assertThat(reverse.status().mode()).isEqualTo(Mode.POLL);
    }

    @Test
    void shouldRefuseToRunInPluginModeWithoutThePluginWithTheFix() {
        ReverseComponent reverse = new ReverseComponent(sides, new ReverseSettings(Mode.PLUGIN, Duration.ofSeconds(1), Duration.ofMillis(50), 100), clock);

        assertThatThrownBy(() -> reverse.run(new RecordedWaits(1))).isInstanceOf(SyncException.class)
                .satisfies(e -> assertThat(((SyncException) e).isRetryable()).isFalse())
                .hasMessageContaining("reverse.mode is plugin, but the graph's server has no nexus-sync plugin")
                .hasMessageContaining("plugins/ folder").hasMessageContaining("NEXUS_SYNC_REVERSE_MODE");
        assertThat(graph.published).isEmpty();
    }

    @Test
    void shouldOnlyWithdrawThePluginsConfigurationWhenOff() throws Exception {
        graph.plugin = "0.1.0";
        graph.add(edit(1, "a"));
        ReverseComponent reverse = new ReverseComponent(sides, new ReverseSettings(Mode.OFF, Duration.ofSeconds(1), Duration.ofMillis(50), 100), clock);

        reverse.run(new RecordedWaits(0));

        assertThat(graph.withdrawn).isEqualTo(1);
        assertThat(graph.probes + graph.nextCalls + sides.catalogReads).isZero();
        assertThat(store.applied).isEmpty();
        assertThat(reverse.status().state()).isEqualTo(ReverseComponent.State.OFF);
    }

    @Test
    void shouldPauseReverseSyncAloneOnAFailureNoRetryFixesAndShowIt() throws Exception {
        graph.plugin = "0.1.0";
        graph.add(edit(1, "a"));
        store.failWith = SyncException.persistent("outbox entry 1 cannot be read (not a JSON array)", null);
        ReverseComponent reverse = new ReverseComponent(sides, new ReverseSettings(Mode.AUTO, Duration.ofSeconds(1), Duration.ofMillis(50), 100), clock);
        RecordedWaits context = new RecordedWaits(5);

        reverse.run(context);

        assertThat(context.waits).as("the session ends after its pause, so the next one reads everything again").containsExactly(ReverseComponent.PAUSE);
        ReverseComponent.Status status = reverse.status();
        assertThat(status.state()).isEqualTo(ReverseComponent.State.PAUSED);
        assertThat(status.lastError()).contains("outbox entry 1 cannot be read");
        assertThat(graph.outbox).as("nothing removed that PostgreSQL does not have").hasSize(1);
    }

    @Test
    void shouldLetTheSupervisorStartASessionAgainAfterARetryableFailureAndApplyEachEntryOnce() throws Exception {
        graph.plugin = "0.1.0";
        graph.add(edit(1, "a"), edit(2, "b"));
        store.failWith = SyncException.retryable("PostgreSQL is unavailable (08006)", null);
        ReverseComponent reverse = new ReverseComponent(sides, new ReverseSettings(Mode.AUTO, Duration.ofSeconds(1), Duration.ofMillis(1), 100), clock);
        List<Duration> backoffs = Collections.synchronizedList(new ArrayList<>());
        Supervisor supervisor = new Supervisor(List.of(reverse), new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), 0, d -> { }, () -> 0L),
                backoffs::add);

        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                supervisor.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (graph.outboxSize() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        supervisor.stop();
        running.get(10, TimeUnit.SECONDS);

        assertThat(backoffs).as("one failure, one backoff").containsExactly(Duration.ofMillis(50));
        assertThat(store.applied).containsExactly(List.of(1L, 2L));
        assertThat(graph.probes).as("the new session probes again (the graph's server may have changed)").isEqualTo(2);
        assertThat(reverse.status().state()).isIn(ReverseComponent.State.RUNNING, ReverseComponent.State.STOPPED);
        assertThat(reverse.status().lastError()).isNull();
    }

    @Test
    void shouldCountConflictsByEntityAndDecision() throws Exception {
        graph.plugin = "0.1.0";
        graph.add(edit(1, "a"));
        store.conflicts = List.of(conflict(ConflictRecord.Side.POSTGRES), conflict(ConflictRecord.Side.POSTGRES), conflict(ConflictRecord.Side.GRAPH));
        ReverseComponent reverse = new ReverseComponent(sides, new ReverseSettings(Mode.AUTO, Duration.ofSeconds(1), Duration.ofMillis(50), 100), clock);

        reverse.run(new RecordedWaits(1));

        assertThat(reverse.status().conflicts()).isEqualTo(Map.of("ContentItem", Map.of("postgres", 2L, "graph", 1L)));
    }

    private static ConflictRecord conflict(ConflictRecord.Side decision) {
        RowRef row = new RowRef(TableId.parse("public.content_items"), Map.of("id", "1"), "1");
        return new ConflictRecord(row, "ContentItem", ConflictRecord.Kind.PROPERTY, "access_level", ConflictRule.POSTGRES_WINS, decision, 4L, 0L, 3L, 1L,
                "internal", "public", T0, T0, 1, "security belongs to PostgreSQL");
    }

    private static GraphEdit edit(long seq, String title) {
        return new GraphEdit(seq, T0.plusMillis(seq), List.of(new EntityEdit.NodeUpdated("ContentItem", "1", "4:x:1", 1L, seq - 1, seq,
                Map.of("title", new PropertyChange("before", title)))));
    }

    private final class FakeSides implements ReverseComponent.Sides {
        int catalogReads;

        @Override
        public ReverseCatalog catalog() {
            catalogReads++;
            return ReverseCatalog.of(MappingLoader.builtIn(), table -> COLUMNS.getOrDefault(table, List.of()));
        }

        @Override
        public GraphOutbox outbox() {
            return graph;
        }

        @Override
        public PolledGraph polledGraph() {
            return graph;
        }

        @Override
        public ReverseStore store() {
            return store;
        }

        @Override
        public void withdrawPlugin() {
            graph.withdrawn++;
        }

        @Override
        public Optional<String> probePlugin() {
            graph.probes++;
            return Optional.ofNullable(graph.plugin);
        }
    }

    /** The graph: an outbox, the plugin's answer to the probe, and polled nodes. */
    private static final class FakeGraph implements GraphOutbox, PolledGraph {
        final List<GraphEdit> outbox = Collections.synchronizedList(new ArrayList<>());
        final List<ReverseCatalog> published = new ArrayList<>();
        final List<PolledGraph.NodeState> polled = new ArrayList<>();
        volatile String plugin;
        volatile int probes;
        int withdrawn;
        int nextCalls;
        int backlogReads;
        Runnable onNext = () -> { };

        void add(GraphEdit... entries) {
            outbox.addAll(List.of(entries));
        }

        int outboxSize() {
            return outbox.size();
        }

        @Override
        public List<GraphEdit> next(int limit) {
            nextCalls++;
            onNext.run();
            synchronized (outbox) {
                return List.copyOf(outbox.subList(0, Math.min(limit, outbox.size())));
            }
        }

        @Override
        public void removeThrough(long seq) {
            outbox.removeIf(entry -> entry.seq() <= seq);
        }

        @Override
        public Backlog backlog() {
            backlogReads++;
            synchronized (outbox) {
                return new Backlog(outbox.size(), outbox.isEmpty() ? null : outbox.get(0).committedAt());
            }
        }

        @Override
        public String assignKey(String label, String idProperty, String elementId, String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String keyOf(String label, String idProperty, String elementId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeNode(String label, String elementId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeRelationship(ReverseCatalog.RelationshipRules rules, String fromId, String toId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void publish(ReverseCatalog catalog) {
            published.add(catalog);
        }

        @Override
        public boolean pluginInstalled() {
            return plugin != null;
        }

        @Override
        public List<NodeState> nodesWithGraphVersion(ReverseCatalog.NodeRules rules, String afterId, int limit) {
            return rules.label().equals("ContentItem") && afterId == null ? polled : List.of();
        }
    }

    /** PostgreSQL: the recorded position, the entries applied (in transactions), polled edits, one failure on demand. */
    private static final class FakeStore implements ReverseStore {
        final List<List<Long>> applied = Collections.synchronizedList(new ArrayList<>());
        final List<EntityEdit> polledEdits = new ArrayList<>();
        final Map<String, Long> graphVersions = new HashMap<>();
        volatile long position;
        volatile SyncException failWith;
        List<ConflictRecord> conflicts = List.of();
        final AtomicInteger transactions = new AtomicInteger();

        @Override
        public long appliedThrough() {
            return position;
        }

        @Override
        public ReverseBatch apply(List<GraphEdit> entries, EditDecider decider, boolean positioned) {
            transactions.incrementAndGet();
            SyncException failure = failWith;
            if (failure != null) {
                if (failure.isRetryable()) {
                    failWith = null;
                }
                throw failure;
            }
            if (!positioned) {
                entries.forEach(entry -> polledEdits.addAll(entry.edits()));
                return new ReverseBatch(0, Map.of("ContentItem", entries.get(0).edits().size()), List.of());
            }
            List<GraphEdit> fresh = entries.stream().filter(entry -> entry.seq() > position).toList();
            applied.add(fresh.stream().map(GraphEdit::seq).toList());
            position = entries.get(entries.size() - 1).seq();
            Map<String, Integer> byEntity = new LinkedHashMap<>();
            fresh.forEach(entry -> entry.edits().forEach(edit -> byEntity.merge("ContentItem", 1, Integer::sum)));
            return new ReverseBatch(fresh.size(), byEntity, conflicts);
        }

        @Override
        public String newKey(TableId table, String keyColumn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<RowRef> existing(Collection<RowRef> rows) {
            return Set.copyOf(rows);
        }

        @Override
        public Map<RowRef, Long> graphVersions(Collection<RowRef> rows) {
            Map<RowRef, Long> found = new HashMap<>();
            for (RowRef row : rows) {
                Long version = graphVersions.get(row.entityKey());
                if (version != null) {
                    found.put(row, version);
                }
            }
            return found;
        }
    }
}
