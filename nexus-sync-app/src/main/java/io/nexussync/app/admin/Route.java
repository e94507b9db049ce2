package io.nexussync.app.admin;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint of the admin API: a method and a whole path (never a prefix; an {@code {id}} in it is a number, a
 * {@code {name}} (or any other lower-case word in braces: Javalin wants each placeholder of a path named apart) any one path
 * segment, which the action checks),
 * whether it needs the admin token, and whether it may be slow (it waits on PostgreSQL: such calls share a few
 * threads, so that {@code /health} and {@code /metrics} always have one).
 *
 * @param path    as Javalin writes it, e.g. {@code /dlq/{id}/retry}
 * @param pattern the same path as a regular expression over all of it, {@code {id}} as {@code (\d+)}, {@code {name}} as {@code ([^/]+)}
 */
record Route(String method, String path, Pattern pattern, Access access, boolean slow, Action action) {

    enum Access {
        /** For probes and scrapers: {@code /health*}, {@code /metrics}, {@code /status}. */
        OPEN,
        /** Changes something, or shows operator SQL or row data: {@code Authorization: Bearer <admin token>}. */
        TOKEN
    }

    @FunctionalInterface
    interface Action {
        Reply handle(AdminRequest request) throws Exception;
    }

    static Route open(String method, String path, Action action) {
        return new Route(method, path, pattern(path), Access.OPEN, false, action);
    }

    /** Needs the token and waits on a database. */
    static Route guarded(String method, String path, Action action) {
        return new Route(method, path, pattern(path), Access.TOKEN, true, action);
    }

    Matcher match(String requestPath) {
        Matcher m = pattern.matcher(requestPath);
        return m.matches() ? m : null;
    }

    private static Pattern pattern(String path) {
        StringBuilder regex = new StringBuilder();
        Matcher placeholder = Pattern.compile("\\{([a-z]+)}").matcher(path);
        int from = 0;
        while (placeholder.find()) {
            regex.append(Pattern.quote(path.substring(from, placeholder.start())));
            regex.append(placeholder.group(1).equals("id") ? "(\\d+)" : "([^/]+)");
            from = placeholder.end();
        }
        regex.append(Pattern.quote(path.substring(from)));
        return Pattern.compile(regex.toString());
    }
}
