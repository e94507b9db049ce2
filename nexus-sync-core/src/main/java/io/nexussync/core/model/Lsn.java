package io.nexussync.core.model;

/**
 * A position in the PostgreSQL write-ahead log, as pgjdbc's {@code LogSequenceNumber}: an unsigned
 * 64-bit value written {@code XXX/XXX} in hex. Immutable.
 */
public record Lsn(long value) implements Comparable<Lsn> {
    public static final Lsn INVALID = new Lsn(0);

    public static Lsn of(long value) {
        return value == 0 ? INVALID : new Lsn(value);
    }

    /** Parses the {@code XXX/XXX} form; throws {@link IllegalArgumentException} naming the text when it is not one. */
    public static Lsn valueOf(String text) {
        if (text == null || !text.matches("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")) {
            throw new IllegalArgumentException("not a WAL position (expected XXX/XXX, each half 1 to 8 hex digits): " + text);
        }
        int slash = text.indexOf('/');
        try {
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            return of((high << 32) | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a WAL position (expected XXX/XXX in hex): " + text, e);
        }
    }

    public boolean isValid() {
        return value != 0;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
