package io.nexussync.postgres.slot;

import java.util.Locale;

/** Byte counts for people: 1.5 GiB rather than 1610612736. */
public final class Bytes {
    private static final String[] UNITS = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Bytes() {}

    public static String format(long bytes) {
        if (bytes < 0 && bytes != Long.MIN_VALUE) {
            return "-" + format(-bytes);
        }
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value >= 100 || value == Math.rint(value) ? "%.0f %s" : "%.1f %s", value, UNITS[unit]);
    }
}
