package io.nexussync.app.runtime;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.fault.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the service's {@link Component}s, each on a thread of its own, with the one reconnect policy: a session that fails
 * with a retryable {@link SyncException} starts again after the {@link RetryPolicy#backoff} of its failures in a row (a
 * session that ends without a failure starts again at once, and the count starts over); any other failure, or a
 * {@link ComponentContext#fail} from beside a session, stops the service, and {@link #run()} throws it.
 *
 * <p>Components start in list order, each once the one before it is {@linkplain ComponentContext#ready() ready}, and stop in
 * reverse order. A stop ends a backoff wait at once: a server can be down for long, and a stop must not sit that out.
 */
public final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    private final List<Component> components;
    private final RetryPolicy retry;
    private final RetryPolicy.Sleeper sleeper;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final List<Runner> runners = new ArrayList<>();
    private volatile boolean stopping;
    private volatile Throwable fatal;

    /** @param retry only its {@link RetryPolicy#backoff} is used: the wait before a failed session starts again */
    public Supervisor(List<Component> components, RetryPolicy retry) {
        this(components, retry, wait -> Thread.sleep(wait.toMillis()));
    }

    /** @param sleeper waits out a backoff; interruptible (a stop interrupts it) */
    public Supervisor(List<Component> components, RetryPolicy retry, RetryPolicy.Sleeper sleeper) {
        this.components = List.copyOf(components);
        this.retry = retry;
        this.sleeper = sleeper;
    }

    /**
     * Starts the components and returns once they are stopped: after {@link #stop()}, or after a failure no retry can fix,
     * which it then throws (a {@link SyncException}, or whatever else a session threw: a bug).
     */
    public void run() throws InterruptedException {
        try {
            for (Component component : components) {
                if (stopping) {
                    break;
                }
                Runner runner = new Runner(component);
                synchronized (runners) {
                    runners.add(runner);
                }
                runner.thread.start();
                runner.awaitReadyOrEnd();
            }
            stopSignal.await();
        } finally {
            stop();
            stopAll();
        }
        Throwable problem = fatal;
        if (problem instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (problem instanceof Error error) {
            throw error;
        }
    }

    /** Asks every component to stop, in reverse start order; {@link #run()} returns once they have. Safe from any thread. */
    public void stop() {
        stopping = true;
        stopSignal.countDown();
    }

    /** Stops the service for a problem a retry cannot fix; {@link #run()} throws the first such problem. */
    public void fail(Throwable problem) {
        synchronized (this) {
            if (fatal == null) {
                fatal = problem;
            }
        }
        stop();
    }

    public boolean stopping() {
        return stopping;
    }

    /**
     * Components started whose thread has ended though no stop was asked for (what a liveness probe restarts for); empty
     * while stopping, when every thread ends.
     */
    public List<String> endedComponents() {
        if (stopping) {
            return List.of();
        }
        List<String> ended = new ArrayList<>();
        synchronized (runners) {
            for (Runner runner : runners) {
                if (!runner.thread.isAlive()) {
                    ended.add(runner.component.name());
                }
            }
        }
        return ended;
    }

    private void stopAll() throws InterruptedException {
        List<Runner> started;
        synchronized (runners) {
            started = new ArrayList<>(runners);
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            Runner runner = started.get(i);
            runner.component.stop();
            runner.interruptBackoff();
            runner.thread.join(Math.max(1, runner.component.stopGrace().toMillis()));
            if (runner.thread.isAlive()) {
                log.warn("{} did not stop within {} s; leaving it to end on its own", runner.component.name(),
                        runner.component.stopGrace().toSeconds());
            }
        }
    }

    /** One component's thread: its sessions, and the backoff between them. */
    private final class Runner implements ComponentContext {
        private final Component component;
        private final Thread thread;
        private final CountDownLatch readyOrEnded = new CountDownLatch(1);
        private final Object backoffLock = new Object();
        private boolean backingOff;

        Runner(Component component) {
            this.component = component;
            this.thread = new Thread(this::sessions, "nexus-sync-" + component.name());
            this.thread.setDaemon(true);
        }

        private void sessions() {
            try {
                int failures = 0;
                while (!stopping) {
                    try {
                        component.run(this);
                        failures = 0;
                    } catch (SyncException e) {
                        if (stopping) {
                            log.info("{} stopped while {} failed; the next start resumes from the graph's checkpoint", component.name(), e.getMessage());
                            return;
                        }
                        if (!component.isRetryable(e)) {
                            Supervisor.this.fail(e);
                            return;
                        }
                        failures++;
                        Duration wait = retry.backoff(failures);
                        component.restarting(e, wait);
                        if (!backOff(wait)) {
                            return;
                        }
                    }
                }
            } catch (InterruptedException e) {
                if (!stopping) {
                    log.warn("{} was interrupted; it stops", component.name());
                }
            } catch (RuntimeException | Error e) {
                if (stopping) {
                    log.info("{} stopped while {} failed", component.name(), String.valueOf(e));
                } else {
                    Supervisor.this.fail(e);
                }
            } finally {
                readyOrEnded.countDown();
            }
        }

        /** @return false when a stop ended the wait */
        private boolean backOff(Duration wait) {
            synchronized (backoffLock) {
                if (stopping) {
                    return false;
                }
                backingOff = true;
            }
            try {
                sleeper.sleep(wait);
                return !stopping;
            } catch (InterruptedException stopped) {
                return false;
            } finally {
                synchronized (backoffLock) {
                    backingOff = false;
                    // A stop's interrupt that came as the wait ended must not reach the next session.
                    Thread.interrupted();
                }
            }
        }

        void interruptBackoff() {
            synchronized (backoffLock) {
                if (backingOff) {
                    thread.interrupt();
                }
            }
        }

        void awaitReadyOrEnd() throws InterruptedException {
            while (!readyOrEnded.await(100, TimeUnit.MILLISECONDS)) {
                if (stopping) {
                    return;
                }
            }
        }

        @Override
        public void ready() {
            readyOrEnded.countDown();
        }

        @Override
        public void fail(SyncException problem) {
            Supervisor.this.fail(problem);
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public boolean stoppedWithin(Duration timeout) throws InterruptedException {
            return stopSignal.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
