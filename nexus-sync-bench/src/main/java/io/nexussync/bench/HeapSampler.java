package io.nexussync.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * The peak of heap used, sampled every 100 ms on a daemon thread; GC-driven, so a sample, not a bound. Also the peak of
 * what the old generation held right after a collection: closer to the live set, which a large heap lets the used
 * figure hide under garbage.
 */
final class HeapSampler implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private final List<MemoryPoolMXBean> oldPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported() && p.getName().contains("Old")).toList();
    private volatile long peak;
    private volatile long peakOldAfterGc;
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
        long old = 0;
        for (MemoryPoolMXBean pool : oldPools) {
            MemoryUsage usage = pool.getCollectionUsage();
            old += usage == null ? 0 : usage.getUsed();
        }
        peakOldAfterGc = Math.max(peakOldAfterGc, old);
    }

    /**
     * The largest old generation seen right after a collection: at the start that is the last collection's, so call
     * {@code System.gc()} before {@link #start()} for a figure of one phase alone.
     */
    long peakOldAfterGcBytes() {
        return peakOldAfterGc;
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
