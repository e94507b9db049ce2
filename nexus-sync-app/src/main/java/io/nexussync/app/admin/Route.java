package io.nexussync.app.admin;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint of the admin API: a method and a whole path (a pattern matched against all of it, never a
 * prefix), whether it needs the admin token, and whether it may be slow (it waits on PostgreSQL: such calls
 * share a few threads, so that {@code /health} and {@code /metrics} always have one).
 */
record Route(String method, Pattern path, Access access, boolean slow, Action action) {

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
        return new Route(method, Pattern.compile(Pattern.quote(path)), Access.OPEN, false, action);
    }

    /** Needs the token and waits on a database; {@code path} is a regular expression over the whole path. */
    static Route guarded(String method, String path, Action action) {
        return new Route(method, Pattern.compile(path), Access.TOKEN, true, action);
    }

    Matcher match(String requestPath) {
        Matcher m = path.matcher(requestPath);
        return m.matches() ? m : null;
    }
}
