package io.nexussync.bench.jmh;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.postgres.pgoutput.PgOutputDecoder;
import io.nexussync.testkit.pgoutput.PgOutputMessages;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * pgoutput decoding ({@link PgOutputDecoder}) of messages built byte by byte as the walsender sends
 * them: each kind on its own for the contract's content_items table (15 columns, a ~250-byte body,
 * jsonb metadata, three timestamps), and a mixed stream of the contract workload's transactions over
 * all six tables. Scores are messages decoded per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PgOutputDecoderBenchmark {
    /** Messages in the mixed stream, Begin and Commit included; the Relation messages are decoded in setup. */
    static final int STREAM_MESSAGES = 1_000;

    private PgOutputDecoder decoder;
    private ByteBuffer begin;
    private ByteBuffer relation;
    private ByteBuffer insert;
    private ByteBuffer update;
    private ByteBuffer updateUnchangedToast;
    private ByteBuffer delete;
    private ByteBuffer commit;
    private ByteBuffer[] stream;

    @Setup
    public void setUp() {
        decoder = new PgOutputDecoder();
        ContextNexusWire.relations().forEach(decoder::decode);
        Random random = new Random(7);
        Instant at = Instant.parse("2026-11-24T12:00:00.123456Z");
        long postgresMicros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000 - PgOutputMessages.POSTGRES_EPOCH_MICROS;
        String id = UUID.randomUUID().toString();
        begin = PgOutputMessages.begin(0x1_2345_6780L, postgresMicros, 4_242);
        // the same description again: what a stream sends after a reconnect (no schema change)
        relation = ContextNexusWire.relation(ContextNexusWire.CONTENT_ITEMS, "content_items", ContextNexusWire.CONTENT_ITEM_COLUMNS);
        insert = PgOutputMessages.insert(ContextNexusWire.CONTENT_ITEMS, ContextNexusWire.contentItem(id, 1, at, random, false));
        update = PgOutputMessages.update(ContextNexusWire.CONTENT_ITEMS, ContextNexusWire.contentItem(id, 2, at, random, false));
        updateUnchangedToast = PgOutputMessages.update(ContextNexusWire.CONTENT_ITEMS, ContextNexusWire.contentItem(id, 3, at, random, true));
        delete = PgOutputMessages.delete(ContextNexusWire.CONTENT_ITEMS, ContextNexusWire.key(ContextNexusWire.CONTENT_ITEM_COLUMNS, id));
        commit = PgOutputMessages.commit(0x1_2345_6780L, 0x1_2345_67B0L, postgresMicros);
        List<ByteBuffer> messages = MixedStream.messages(STREAM_MESSAGES, 11);
        stream = messages.subList(6, 6 + STREAM_MESSAGES).toArray(ByteBuffer[]::new);
    }

    @Benchmark
    public CaptureEvent begin() {
        return decoder.decode(begin);
    }

    @Benchmark
    public CaptureEvent relation() {
        return decoder.decode(relation);
    }

    @Benchmark
    public CaptureEvent insertContentItem() {
        return decoder.decode(insert);
    }

    @Benchmark
    public CaptureEvent updateContentItem() {
        return decoder.decode(update);
    }

    @Benchmark
    public CaptureEvent updateContentItemUnchangedToast() {
        return decoder.decode(updateUnchangedToast);
    }

    @Benchmark
    public CaptureEvent deleteContentItem() {
        return decoder.decode(delete);
    }

    @Benchmark
    public CaptureEvent commit() {
        return decoder.decode(commit);
    }

    /** The contract workload's transactions: Begin, 1-5 row changes on any of the six tables, Commit. */
    @Benchmark
    @OperationsPerInvocation(STREAM_MESSAGES)
    public void mixedStream(Blackhole blackhole) {
        for (ByteBuffer message : stream) {
            blackhole.consume(decoder.decode(message));
        }
    }
}
