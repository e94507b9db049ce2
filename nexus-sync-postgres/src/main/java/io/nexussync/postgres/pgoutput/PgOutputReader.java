package io.nexussync.postgres.pgoutput;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Big-endian reads over one message body. Every read checks the remaining length first so a short
 * buffer surfaces as a {@link PgOutputException} naming the message and field, rather than a bare
 * {@link java.nio.BufferUnderflowException} with no context.
 */
final class PgOutputReader {

    private final ByteBuffer buffer;
    private final String message;

    PgOutputReader(ByteBuffer buffer, String message) {
        this.buffer = buffer;
        this.message = message;
    }

    String message() {
        return message;
    }

    byte int8(String field) {
        need(1, field);
        return buffer.get();
    }

    short int16(String field) {
        need(2, field);
        return buffer.getShort();
    }

    int int32(String field) {
        need(4, field);
        return buffer.getInt();
    }

    long int64(String field) {
        need(8, field);
        return buffer.getLong();
    }

    byte[] bytes(int length, String field) {
        if (length < 0) {
            throw fail("negative length " + length + " for " + field);
        }
        need(length, field);
        byte[] out = new byte[length];
        buffer.get(out);
        return out;
    }

    /**
     * The next value of a tuple's column: its kind byte, or with {@code length} its text or bytes. The field named in a
     * failure is "column NAME kind/length/text", put together only then: a tuple read builds no strings but its values.
     */
    byte columnKind(String column) {
        if (buffer.remaining() < 1) {
            need(1, "column " + column + " kind");
        }
        return buffer.get();
    }

    int columnLength(String column) {
        if (buffer.remaining() < 4) {
            need(4, "column " + column + " length");
        }
        int length = buffer.getInt();
        if (length < 0) {
            throw fail("negative length " + length + " for column " + column + " value");
        }
        if (buffer.remaining() < length) {
            need(length, "column " + column + " value");
        }
        return length;
    }

    /** {@code length} bytes of UTF-8 text, decoded in place (no copy of the bytes first) when the buffer has an array. */
    String columnText(int length) {
        if (buffer.hasArray()) {
            String text = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length, StandardCharsets.UTF_8);
            buffer.position(buffer.position() + length);
            return text;
        }
        byte[] raw = new byte[length];
        buffer.get(raw);
        return new String(raw, StandardCharsets.UTF_8);
    }

    byte[] columnBytes(int length) {
        byte[] out = new byte[length];
        buffer.get(out);
        return out;
    }

    /** A NUL-terminated UTF-8 string. */
    String string(String field) {
        int start = buffer.position();
        for (int i = start; i < buffer.limit(); i++) {
            if (buffer.get(i) == 0) {
                byte[] raw = new byte[i - start];
                buffer.get(raw);
                buffer.get(); // the terminator
                return new String(raw, StandardCharsets.UTF_8);
            }
        }
        throw fail("truncated: " + field + " has no NUL terminator before the end of the buffer");
    }

    PgOutputException fail(String what) {
        return new PgOutputException(message + " message: " + what);
    }

    private void need(int n, String field) {
        if (buffer.remaining() < n) {
            throw fail("truncated: " + field + " needs " + n + " byte(s) at offset " + buffer.position()
                    + " but only " + buffer.remaining() + " remain");
        }
    }
}
