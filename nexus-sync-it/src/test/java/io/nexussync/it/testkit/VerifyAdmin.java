package io.nexussync.it.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexussync.embedded.FreePort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Verify as an operator drives it in the running service (a child JVM): over the admin API ({@code POST /verify},
 * {@code GET /verify}, {@code GET /verify/findings}, {@code POST /verify/findings/ID/resolve}) with the admin token.
 * The service's scheduled verify is turned off, so every run is one the test asked for.
 */
public final class VerifyAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    private VerifyAdmin(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** Gives the environment an admin port of its own and no verify schedule; returns the client for it. */
    public static VerifyAdmin configure(SyncEnvironment env) {
        int port = FreePort.pick();
        env.environment().put("NEXUS_SYNC_ADMIN_PORT", Integer.toString(port));
        env.environment().put("NEXUS_SYNC_VERIFY_INTERVAL", "off");
        return new VerifyAdmin(port);
    }

    /** Waits for the admin API of a service just started (it listens once the service is set up). */
    public void awaitUp(ChildService service, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            if (!service.isAlive()) {
                throw new AssertionError("the service exited before its admin API answered");
            }
            try {
                if (send("GET", "/verify", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the admin API did not answer within " + atMost);
            }
            Thread.sleep(100);
        }
    }

    /**
     * {@code POST /verify} and waits for that run to end.
     *
     * @return {@code GET /verify}'s {@code last} of that run (its {@code summary} holds the counts)
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> verify(boolean repair, boolean dryRun, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        Object endedBefore = endedAt(state());
        Map<String, Object> body = new HashMap<>();
        body.put("repair", repair);
        body.put("dryRun", dryRun);
        while (true) {
            HttpResponse<String> started = send("POST", "/verify", JSON.writeValueAsString(body));
            if (started.statusCode() == 202) {
                break;
            }
            if (started.statusCode() != 409 || System.nanoTime() > deadline) {
                throw new AssertionError("POST /verify answered " + started.statusCode() + ": " + started.body());
            }
            Thread.sleep(200);
        }
        while (true) {
            Map<String, Object> state = state();
            if (!Boolean.TRUE.equals(state.get("running")) && !Objects.equals(endedAt(state), endedBefore)) {
                Map<String, Object> last = (Map<String, Object>) state.get("last");
                if (last.get("error") != null) {
                    throw new AssertionError("the verify run failed: " + last.get("error"));
                }
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the verify run did not end within " + atMost + ": " + state);
            }
            Thread.sleep(100);
        }
    }

    /** {@code POST /verify} without waiting for the run (a test that expects the service to halt in it). */
    public void startVerify(boolean repair, boolean dryRun) throws Exception {
        HttpResponse<String> started = send("POST", "/verify", JSON.writeValueAsString(Map.of("repair", repair, "dryRun", dryRun)));
        if (started.statusCode() != 202) {
            throw new AssertionError("POST /verify answered " + started.statusCode() + ": " + started.body());
        }
    }

    @SuppressWarnings("unchecked")
    private static Object endedAt(Map<String, Object> state) {
        Map<String, Object> last = (Map<String, Object>) state.get("last");
        return last == null ? null : last.get("endedAt");
    }

    /** {@code GET /verify}. */
    public Map<String, Object> state() throws Exception {
        return getObject("/verify");
    }

    /** {@code GET /verify/findings} (open ones, or {@code all}). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> findings(boolean all) throws Exception {
        HttpResponse<String> reply = send("GET", "/verify/findings" + (all ? "?all=true" : ""), null);
        if (reply.statusCode() != 200) {
            throw new AssertionError("GET /verify/findings answered " + reply.statusCode() + ": " + reply.body());
        }
        return JSON.readValue(reply.body(), List.class);
    }

    /** {@code POST /verify/findings/ID/resolve}: a person's decision; returns the finding as it now stands. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> resolve(long id, String take, String reason) throws Exception {
        HttpResponse<String> reply = send("POST", "/verify/findings/" + id + "/resolve", JSON.writeValueAsString(Map.of("take", take, "reason", reason)));
        if (reply.statusCode() != 200) {
            throw new AssertionError("resolve #" + id + " answered " + reply.statusCode() + ": " + reply.body());
        }
        return JSON.readValue(reply.body(), Map.class);
    }

    /** {@code GET /status}. */
    public Map<String, Object> status() throws Exception {
        return getObject("/status");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> getObject(String path) throws Exception {
        HttpResponse<String> reply = send("GET", path, null);
        if (reply.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + reply.statusCode() + ": " + reply.body());
        }
        return JSON.readValue(reply.body(), Map.class);
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + SyncEnvironment.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
