package io.nexussync.app.components;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.nexussync.app.runtime.ComponentContext;
import io.nexussync.core.error.SyncException;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.RelationshipMapping;
import io.nexussync.core.retention.ClosedVersions;
import io.nexussync.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class HistoryRetentionComponentTest {
    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(30);
    private static final Duration HOUR = HistoryRetentionComponent.EVERY;
    private final ManualClock clock = new ManualClock(T0);
    private final Mapping mapping = MappingLoader.builtIn();
    private final Graph graph = new Graph();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(HistoryRetentionComponent.class)).addAppender(logged);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger(HistoryRetentionComponent.class)).detachAppender(logged);
    }

    /** Closed INCLUDES versions by validTo; the cuts each removing call was given; fails the calls it is told to. */
    private static final class Graph implements ClosedVersions {
        final List<Instant> validTo = new ArrayList<>();
        final List<Instant> cuts = new ArrayList<>();
        int failingCalls;

        @Override
        public long countEndedBefore(RelationshipMapping type, Instant cut) {
            return validTo.stream().filter(to -> to.isBefore(cut)).count();
        }

        @Override
        public long removeEndedBefore(RelationshipMapping type, Instant cut, int limit) {
            cuts.add(cut);
            if (failingCalls > 0) {
                failingCalls--;
                throw SyncException.retryable("cannot reach Neo4j at bolt://graph:7687 (the test says so)", null);
            }
            long before = validTo.size();
            validTo.removeIf(to -> to.isBefore(cut));
            return before - validTo.size();
        }

        /** The built-in mapping keeps no tombstones: compaction never asks about them. */
        @Override
        public long countTombstonesBefore(io.nexussync.core.mapping.NodeMapping node, List<String> historyTypes, Instant cut) {
            throw new AssertionError("the built-in mapping keeps no tombstones");
        }

        @Override
        public long removeTombstonesBefore(io.nexussync.core.mapping.NodeMapping node, Instant cut, int limit) {
            throw new AssertionError("the built-in mapping keeps no tombstones");
        }
    }

    /** Ready once; each wait moves the clock on by what was asked and says "stopping" after {@code waits} of them. */
    private ComponentContext context(int waits, Runnable beforeEachWait) {
        AtomicInteger waited = new AtomicInteger();
        return new ComponentContext() {
            @Override
            public void ready() {
            }

            @Override
            public void fail(SyncException problem) {
                throw new AssertionError("history retention must never stop the service", problem);
            }

            @Override
            public boolean stopping() {
                return false;
            }

            @Override
            public boolean stoppedWithin(Duration timeout) {
                beforeEachWait.run();
                clock.advance(timeout);
                return waited.incrementAndGet() > waits;
            }
        };
    }

    @Test
    void shouldCompactAtStartAndEveryHourAndTryAgainAfterAFailedRound() throws Exception {
        HistoryRetentionComponent component = new HistoryRetentionComponent(mapping, () -> graph, RETENTION, clock, Duration.ZERO);
        List<String> removed = new ArrayList<>();
        component.observe(new io.nexussync.core.retention.CompactionListener() {
            @Override
            public void removed(String type, long n) {
                removed.add(type + ":" + n);
            }

            @Override
            public void tombstonesRemoved(String label, long n) {
                removed.add("tombstones " + label + ":" + n);
            }
        });
        graph.validTo.add(T0.minus(RETENTION).minusSeconds(1));
        List<Map<String, Object>> states = new ArrayList<>();
        // Round 2 fails (Neo4j unreachable); a version that ended within the first hour goes in round 3, whose cut is 2 h later.
        graph.validTo.add(T0.minus(RETENTION).plusSeconds(3600));
        AtomicInteger round = new AtomicInteger();
        component.run(context(2, () -> {
            states.add(component.state());
            if (round.incrementAndGet() == 1) {
                graph.failingCalls = 1;
            }
        }));
        states.add(component.state());

        assertThat(graph.cuts).containsExactly(T0.minus(RETENTION), T0.plus(HOUR).minus(RETENTION), T0.plus(HOUR.multipliedBy(2)).minus(RETENTION));
        assertThat(graph.validTo).isEmpty();
        assertThat(removed).containsExactly("INCLUDES:1", "INCLUDES:1");
        assertThat(states.get(0)).containsEntry("lastRemoved", 1L).containsEntry("lastError", null).containsEntry("removedSinceStart", 1L)
                .containsEntry("lastRunAt", T0.toString()).containsEntry("retention", "PT720H");
        assertThat(states.get(1)).containsEntry("lastRemoved", null).containsEntry("removedSinceStart", 1L);
        assertThat((String) states.get(1).get("lastError")).contains("cannot reach Neo4j");
        assertThat(states.get(2)).containsEntry("lastRemoved", 1L).containsEntry("lastError", null).containsEntry("removedSinceStart", 2L)
                .containsEntry("lastCut", T0.plus(HOUR.multipliedBy(2)).minus(RETENTION).toString())
                .containsEntry("lastRemovedByType", Map.of("INCLUDES", 1L));
        assertThat(logged.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("could not compact the history", "trying again in PT1H");
        });
    }

    @Test
    void shouldTouchNothingWhenTheRetentionIsOff() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        HistoryRetentionComponent component = new HistoryRetentionComponent(mapping, () -> {
            asked.incrementAndGet();
            return graph;
        }, Duration.ZERO, clock, Duration.ZERO);
        graph.validTo.add(T0.minus(Duration.ofDays(3650)));

        component.run(context(3, () -> { }));

        assertThat(asked).hasValue(0);
        assertThat(graph.validTo).hasSize(1);
        assertThat(component.state()).containsEntry("retention", "off").containsEntry("lastRunAt", null).containsEntry("removedSinceStart", 0L);
    }
}
