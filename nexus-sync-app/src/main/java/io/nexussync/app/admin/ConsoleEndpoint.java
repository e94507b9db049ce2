package io.nexussync.app.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The web console at {@code /}: one HTML page, its script and its style sheet, read from this jar once. The page reads
 * the JSON API only ({@code /status}, {@code /status/history}, {@code /health}, {@code /dlq}, ...), so it may do no more
 * than the API lets its caller do: the GETs are as open as the API's, and what the admin token guards asks for the token
 * (kept in the tab's sessionStorage, sent as {@code Authorization: Bearer}).
 *
 * <p>Every file goes out with a Content-Security-Policy that allows this origin only: no inline script or style, no
 * other host, no framing, so data the page shows can never run as code even if a bug rendered it as HTML.
 */
final class ConsoleEndpoint {
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final String RESOURCES = "/io/nexussync/app/admin/console/";

    private ConsoleEndpoint() {}

    static List<Route> routes() {
        return List.of(
                file("/", "index.html", "text/html"),
                file("/console/console.js", "console.js", "text/javascript"),
                file("/console/console.css", "console.css", "text/css"));
    }

    private static Route file(String path, String name, String contentType) {
        Reply reply = Reply.text(200, contentType, read(name))
                .withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .withHeader("Referrer-Policy", "no-referrer");
        return Route.open("GET", path, request -> reply);
    }

    private static String read(String name) {
        try (InputStream in = ConsoleEndpoint.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from the jar (" + RESOURCES + name + "): rebuild nexus-sync-app");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
