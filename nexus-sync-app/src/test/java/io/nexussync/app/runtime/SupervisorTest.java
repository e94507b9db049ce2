package io.nexussync.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One reconnect policy for every component: backoff after a retryable failure, stop on a fatal one, stop in reverse order. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SupervisorTest {
    /** No jitter: each wait is half the exponential step (50, 100, 200 ms from a first step of 100 ms). */
    private static final RandomGenerator NO_JITTER = () -> 0L;
    private static final RetryPolicy BACKOFF = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), 0, d -> { }, NO_JITTER);

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @Test
    void shouldStartASessionThatFailedRetryablyAgainAfterTheBackoffOfItsFailuresInARow() throws Exception {
        List<Duration> slept = Collections.synchronizedList(new ArrayList<>());
        Scripted stream = new Scripted("stream", retryable("connection refused"), retryable("connection refused"), Outcome.UNTIL_STOP);
        Supervisor supervisor = new Supervisor(List.of(stream), BACKOFF, slept::add);

        CompletableFuture<Void> running = runInBackground(supervisor);
        stream.awaitSessions(3);
        supervisor.stop();
        running.get(10, TimeUnit.SECONDS);

        assertThat(slept).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(stream.restartWaits).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(stream.sessions.get()).isEqualTo(3);
    }

    @Test
    void shouldStartASessionThatEndedWithoutAFailureAgainAtOnceAndCountFailuresAfreshAfterIt() throws Exception {
        List<Duration> slept = Collections.synchronizedList(new ArrayList<>());
        Scripted stream = new Scripted("stream", retryable("first"), Outcome.ENDS, retryable("second"), Outcome.UNTIL_STOP);
        Supervisor supervisor = new Supervisor(List.of(stream), BACKOFF, slept::add);

        CompletableFuture<Void> running = runInBackground(supervisor);
        stream.awaitSessions(4);
        supervisor.stop();
        running.get(10, TimeUnit.SECONDS);

        assertThat(slept).as("no wait after the session that ended, and the count starts over").containsExactly(Duration.ofMillis(50), Duration.ofMillis(50));
    }

    @Test
    void shouldStopEveryComponentAndThrowWhenASessionFailsSoThatNoRetryCanFixIt() {
        SyncException slotLost = SyncException.persistent("replication slot 'x' was invalidated", null);
        Scripted stream = new Scripted("stream", Outcome.UNTIL_STOP);
        Scripted watch = new Scripted("watch", slotLost, Outcome.UNTIL_STOP);
        List<Duration> slept = Collections.synchronizedList(new ArrayList<>());
        Supervisor supervisor = new Supervisor(List.of(stream, watch), BACKOFF, slept::add);

        assertThatThrownBy(supervisor::run).isSameAs(slotLost);

        assertThat(watch.sessions.get()).as("not started again").isEqualTo(1);
        assertThat(slept).isEmpty();
        assertThat(events).contains("stop watch", "stop stream");
    }

    @Test
    void shouldStopEveryComponentAndThrowWhatAComponentReportsFromBesideItsSession() {
        SyncException dropped = SyncException.persistent("mapped table public.t no longer exists", null);
        Scripted stream = new Scripted("stream", Outcome.UNTIL_STOP);
        Component monitor = new Component() {
            @Override
            public String name() {
                return "monitor";
            }

            @Override
            public void run(ComponentContext context) throws InterruptedException {
                context.ready();
                context.fail(dropped);
                context.stoppedWithin(Duration.ofMinutes(1));
            }

            @Override
            public void stop() {
                events.add("stop monitor");
            }
        };
        Supervisor supervisor = new Supervisor(List.of(stream, monitor), BACKOFF, d -> { });

        assertThatThrownBy(supervisor::run).isSameAs(dropped);
        assertThat(events).containsSubsequence("stop monitor", "stop stream");
    }

    @Test
    void shouldEndABackoffWaitWhenStopped() throws Exception {
        RetryPolicy anHour = new RetryPolicy(Duration.ofHours(2), Duration.ofHours(2), 0, d -> { }, NO_JITTER);
        Scripted stream = new Scripted("stream", retryable("server down"), retryable("server down"));
        Supervisor supervisor = new Supervisor(List.of(stream), anHour);

        CompletableFuture<Void> running = runInBackground(supervisor);
        stream.awaitRestarting();
        Thread.sleep(100); // into the wait
        long before = System.nanoTime();
        supervisor.stop();
        running.get(10, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
        assertThat(stream.sessions.get()).as("no session after the stop").isEqualTo(1);
    }

    @Test
    void shouldStopComponentsInReverseStartOrder() throws Exception {
        Scripted stream = new Scripted("stream", Outcome.UNTIL_STOP);
        Scripted monitor = new Scripted("monitor", Outcome.UNTIL_STOP);
        Scripted backfill = new Scripted("backfill", Outcome.UNTIL_STOP);
        Supervisor supervisor = new Supervisor(List.of(stream, monitor, backfill), BACKOFF, d -> { });

        CompletableFuture<Void> running = runInBackground(supervisor);
        backfill.awaitSessions(1);
        supervisor.stop();
        running.get(10, TimeUnit.SECONDS);

        assertThat(events).containsSubsequence("start stream", "start monitor", "start backfill");
        assertThat(events.stream().filter(e -> e.startsWith("stop")).toList()).containsExactly("stop backfill", "stop monitor", "stop stream");
    }

    @Test
    void shouldStartAComponentOnlyOnceTheOneBeforeItIsReady() throws Exception {
        CountDownLatch snapshotDone = new CountDownLatch(1);
        AtomicReference<Boolean> snapshotDoneWhenBackfillStarted = new AtomicReference<>();
        Component stream = new Component() {
            @Override
            public String name() {
                return "stream";
            }

            @Override
            public void run(ComponentContext context) throws InterruptedException {
                snapshotDone.await();
                context.ready();
                context.stoppedWithin(Duration.ofMinutes(1));
            }

            @Override
            public void stop() {
            }
        };
        Scripted backfill = new Scripted("backfill", Outcome.UNTIL_STOP) {
            @Override
            public void run(ComponentContext context) throws InterruptedException {
                snapshotDoneWhenBackfillStarted.compareAndSet(null, snapshotDone.getCount() == 0);
                super.run(context);
            }
        };
        Supervisor supervisor = new Supervisor(List.of(stream, backfill), BACKOFF, d -> { });

        CompletableFuture<Void> running = runInBackground(supervisor);
        Thread.sleep(300);
        assertThat(backfill.sessions.get()).as("waits for the stream").isZero();
        snapshotDone.countDown();
        backfill.awaitSessions(1);
        supervisor.stop();
        running.get(10, TimeUnit.SECONDS);

        assertThat(snapshotDoneWhenBackfillStarted.get()).isTrue();
    }

    private static SyncException retryable(String message) {
        return SyncException.retryable(message, null);
    }

    @Test
    void shouldNameAComponentWhoseThreadEndedWithoutAStopForTheLivenessProbeButNoneWhileStopping() throws Exception {
        Scripted stream = new Scripted("stream", Outcome.UNTIL_STOP);
        Component interrupted = new Component() {
            @Override
            public String name() {
                return "watch";
            }

            @Override
            public void run(ComponentContext context) throws InterruptedException {
                context.ready();
                throw new InterruptedException("not a stop");
            }

            @Override
            public void stop() {
            }
        };
        Supervisor supervisor = new Supervisor(List.of(stream, interrupted), BACKOFF, d -> { });

        CompletableFuture<Void> running = runInBackground(supervisor);
        stream.awaitSessions(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (supervisor.endedComponents().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        List<String> ended = supervisor.endedComponents();
        supervisor.stop();
        running.get(10, TimeUnit.SECONDS);

        assertThat(ended).containsExactly("watch");
        assertThat(supervisor.endedComponents()).as("stopping: every thread ends").isEmpty();
    }

    private static CompletableFuture<Void> runInBackground(Supervisor supervisor) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                supervisor.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "supervisor-under-test");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    private enum Outcome { ENDS, UNTIL_STOP }

    /** A component whose sessions follow a script: each throws its failure, ends, or runs until the stop. */
    private class Scripted implements Component {
        private final String name;
        private final List<Object> script;
        final AtomicInteger sessions = new AtomicInteger();
        final List<Duration> restartWaits = Collections.synchronizedList(new ArrayList<>());
        private final CountDownLatch restarting = new CountDownLatch(1);
        private volatile ComponentContext context;

        Scripted(String name, Object... script) {
            this.name = name;
            this.script = List.of(script);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void run(ComponentContext context) throws InterruptedException {
            this.context = context;
            int session = sessions.getAndIncrement();
            events.add("start " + name);
            context.ready();
            Object next = session < script.size() ? script.get(session) : Outcome.UNTIL_STOP;
            if (next instanceof SyncException failure) {
                throw failure;
            }
            if (next == Outcome.UNTIL_STOP) {
                context.stoppedWithin(Duration.ofMinutes(1));
            }
        }

        @Override
        public void stop() {
            events.add("stop " + name);
        }

        @Override
        public void restarting(SyncException failure, Duration wait) {
            restartWaits.add(wait);
            restarting.countDown();
        }

        void awaitSessions(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sessions.get() < count || (count > 0 && context == null)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(name + " ran " + sessions.get() + " sessions, not " + count);
                }
                Thread.sleep(10);
            }
        }

        void awaitRestarting() throws InterruptedException {
            assertThat(restarting.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
