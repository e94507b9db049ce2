package io.nexussync.app.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Who may use a {@link Route.Access#TOKEN} route: the caller that sends {@code Authorization: Bearer <admin token>}.
 * No token configured: 403, saying how to set one (those routes are off). Token missing or wrong: 401 with
 * {@code WWW-Authenticate: Bearer}. Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual},
 * in time that depends on neither the token's content nor its length.
 */
final class AdminAuth {
    static final String NO_TOKEN = "this endpoint changes the sync or shows operator SQL and row data, and the admin API has no token: "
            + "set NEXUS_SYNC_ADMIN_TOKEN (or admin.token / admin.token-file in the config file) to at least 16 characters, restart, "
            + "and send it as Authorization: Bearer <token>";
    private static final String REALM = "Bearer realm=\"nexus-sync\"";

    private final byte[] expected;

    /** @param token the configured token, or null for none */
    AdminAuth(String token) {
        this.expected = token == null || token.isEmpty() ? null : digest(token);
    }

    /** @return null when the caller may go on, else the answer to give */
    Reply refusal(String authorization) {
        if (expected == null) {
            return Reply.error(403, NO_TOKEN);
        }
        String presented = bearer(authorization);
        if (presented == null) {
            return Reply.error(401, "this endpoint needs the admin token: send Authorization: Bearer <token>")
                    .withHeader("WWW-Authenticate", REALM);
        }
        if (!MessageDigest.isEqual(expected, digest(presented))) {
            return Reply.error(401, "the bearer token is not the admin token")
                    .withHeader("WWW-Authenticate", REALM + ", error=\"invalid_token\"");
        }
        return null;
    }

    private static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        String token = value.substring(7).strip();
        return token.isEmpty() ? null : token;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
