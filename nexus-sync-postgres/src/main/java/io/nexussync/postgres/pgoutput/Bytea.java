package io.nexussync.postgres.pgoutput;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Parses {@code bytea} text in both output formats: {@code hex} (the default since 9.0) and the
 * older {@code escape}, which a server with {@code bytea_output = escape} still sends.
 */
final class Bytea {

    private Bytea() {}

    static byte[] parse(String text) {
        if (text.startsWith("\\x")) {
            String hex = text.substring(2);
            if (hex.length() % 2 != 0) {
                throw new ValueConversionException("bytea hex text has an odd number of digits: '" + text + "'");
            }
            return HexFormat.of().parseHex(hex);
        }
        return unescape(text);
    }

    private static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '\\') {
                int end = i;
                while (end < text.length() && text.charAt(end) != '\\') {
                    end++;
                }
                out.writeBytes(text.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            } else if (i + 1 < text.length() && text.charAt(i + 1) == '\\') {
                out.write('\\');
                i += 2;
            } else if (i + 3 < text.length() && isOctal(text, i + 1)) {
                out.write(Integer.parseInt(text.substring(i + 1, i + 4), 8));
                i += 4;
            } else {
                throw new ValueConversionException("bad escape in bytea escape-format text at index " + i + ": '" + text + "'");
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(String text, int from) {
        return text.charAt(from) >= '0' && text.charAt(from) <= '3'
                && text.charAt(from + 1) >= '0' && text.charAt(from + 1) <= '7'
                && text.charAt(from + 2) >= '0' && text.charAt(from + 2) <= '7';
    }
}
