package io.nexussync.bench;

import io.nexussync.app.config.SyncConfig;
import java.util.List;

/** The Markdown the benchmark prints: the table, the ratios, and the facts needed to read them. */
final class Report {
    private Report() {}

    /** One line of the table; {@code appChanges} is -1 for the references, which have no application behind them. */
    record Run(String name, long appChanges, long walChanges, long transactions, long nanos) {
        double seconds() {
            return nanos / 1e9;
        }

        double walRate() {
            return walChanges / seconds();
        }
    }

    /** Everything one pass measured; {@code notes} are finished bullet lines. */
    record Results(SyncConfig config, Run drain, Run live, Run peer, Run raw, Run rawWindows, Run naive, long peakHeap, List<String> notes) {}

    static void print(long changes, Results r, int writers, String versions, String warmUp) {
        System.out.printf("%n## nexus-sync end-to-end benchmark, %,d row changes%n%n", changes);
        System.out.println("Command: `" + System.getProperty("bench.command", "java -cp ... " + EndToEndBenchmark.class.getName() + " " + changes) + "`");
        System.out.println();
        System.out.printf("%s embedded in one JVM on loopback; %s%n", versions, BenchEnvironment.describeJvm());
        System.out.printf("nexus-sync: batch %,d changes / %d ms, queue %,d; NEXUS_SYNC_* settings passed through: %s; "
                        + "workload: %d ContextNexusWorkload connections writing flat out; %s%n%n",
                r.config().batchSize(), r.config().batchDelay().toMillis(), r.config().queueCapacity(), BenchEnvironment.describePassedThrough(),
                writers, warmUp);
        System.out.println("| run | row changes (app) | row changes (WAL) | Neo4j transactions | seconds | changes/s (app) | changes/s (WAL) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Run run : List.of(r.drain(), r.live(), r.peer(), r.raw(), r.rawWindows(), r.naive())) {
            System.out.printf("| %s | %s | %,d | %,d | %.2f | %s | %,.0f |%n", run.name(),
                    run.appChanges() < 0 ? "-" : String.format("%,d", run.appChanges()), run.walChanges(), run.transactions(), run.seconds(),
                    run.appChanges() < 0 ? "-" : String.format("%,.0f", run.appChanges() / run.seconds()), run.walRate());
        }
        System.out.println();
        System.out.println("App row changes: what the workload's statements reported; WAL row changes: what PostgreSQL logged and had to be "
                + "applied (cascaded deletes included). Ratios use the WAL rates, the same unit for every run.");
        System.out.println();
        // The reference the issue names: the same changes as UNWIND MERGE batches of 1,000 straight into Neo4j.
        System.out.printf("* nexus-sync drain / raw (UNWIND MERGE batches of 1,000): **%.2f**%n", r.drain().walRate() / r.rawWindows().walRate());
        System.out.printf("* nexus-sync live / raw (UNWIND MERGE batches of 1,000): **%.2f**%n", r.live().walRate() / r.rawWindows().walRate());
        System.out.printf("* nexus-sync drain / Debezium peer (%s): **%.2f** (issue 15's target: at least 2)%n", DebeziumPeer.NAME,
                r.drain().walRate() / r.peer().walRate());
        System.out.printf("* Debezium peer / raw (UNWIND MERGE batches of 1,000): **%.2f**%n", r.peer().walRate() / r.rawWindows().walRate());
        System.out.printf("* nexus-sync drain / naive (one transaction per change): **%.2f**%n", r.drain().walRate() / r.naive().walRate());
        System.out.printf("* against the in-order batches (only consecutive same-kind changes grouped, so mostly one per batch): drain **%.2f**, live **%.2f**%n",
                r.drain().walRate() / r.raw().walRate(), r.live().walRate() / r.raw().walRate());
        System.out.printf("* peak heap used during the drain (sampled every 100 ms; the whole JVM, embedded Neo4j included): %,d MiB%n", r.peakHeap() >> 20);
        r.notes().forEach(note -> System.out.println("* " + note));
    }
}
