package io.nexussync.postgres.pgoutput;

/** 'O': the replication origin a transaction was replayed from (sent after its Begin). */
final class OriginMessage {

    private OriginMessage() {}

    static String decode(PgOutputReader reader) {
        reader.int64("origin commit LSN");
        return reader.string("origin name");
    }
}
