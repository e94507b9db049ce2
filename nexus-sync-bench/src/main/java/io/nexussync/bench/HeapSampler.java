package io.nexussync.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** The peak of heap used, sampled every 100 ms on a daemon thread; GC-driven, so a sample, not a bound. */
final class HeapSampler implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private volatile long peak;
    private volatile boolean stopped;

    private HeapSampler() {
        thread = new Thread(this::sample, "bench-heap-sampler");
        thread.setDaemon(true);
    }

    static HeapSampler start() {
        HeapSampler sampler = new HeapSampler();
        sampler.record();
        sampler.thread.start();
        return sampler;
    }

    private void sample() {
        while (!stopped) {
            record();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void record() {
        peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
    }

    long peakBytes() {
        return peak;
    }

    @Override
    public void close() {
        stopped = true;
        record();
        thread.interrupt();
    }
}
