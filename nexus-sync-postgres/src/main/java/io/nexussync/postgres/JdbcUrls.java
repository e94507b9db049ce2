package io.nexussync.postgres;

import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDBC URL as it may be printed (the {@code config} command, logs, error messages that reach {@code /status}):
 * the password of a {@code user:password@host} part and the value of every {@code password}-like parameter
 * ({@code password}, {@code sslpassword}) replaced by {@code <redacted>}.
 */
public final class JdbcUrls {
    public static final String REDACTED = "<redacted>";

    /** {@code //user:password@}: the user info runs to the last '@' before the query, so a password may hold '@' or '/'. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^:@/?#]*:)([^?#]*)@");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;](?:ssl)?password=)[^&;#]*");

    private JdbcUrls() {}

    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String withoutUserInfo = USER_INFO.matcher(url).replaceFirst("$1" + Matcher.quoteReplacement(REDACTED) + "@");
        return PASSWORD_PARAMETER.matcher(withoutUserInfo).replaceAll("$1" + Matcher.quoteReplacement(REDACTED));
    }

    /** The URL's parameters as pgjdbc reads them (host, database, sslmode, sslrootcert, ...), or null when pgjdbc cannot parse it. */
    public static Properties parameters(String url) {
        return org.postgresql.Driver.parseURL(url, new Properties());
    }
}
