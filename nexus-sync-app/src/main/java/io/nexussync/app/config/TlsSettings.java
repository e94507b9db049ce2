package io.nexussync.app.config;

import io.nexussync.postgres.JdbcUrls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * The TLS settings of both connections, checked before anything connects. PostgreSQL's live in its JDBC URL (pgjdbc reads
 * {@code sslmode}, {@code sslrootcert} and the rest from it for every connection, the replication one included); Neo4j's
 * are the URI's scheme and {@link ConfigKey#NEO4J_TRUSTED_CA_FILE}.
 */
final class TlsSettings {
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    private TlsSettings() {}

    /** An {@code sslmode} pgjdbc does not know, or an {@code sslrootcert}/{@code sslcert}/{@code sslkey} file that is not there. */
    static void checkPostgresUrl(String url, List<String> problems) {
        Properties parsed = JdbcUrls.parameters(url);
        if (parsed == null) {
            problems.add(ConfigKey.PG_URL.environment() + " is '" + JdbcUrls.redact(url) + "': pgjdbc cannot parse it; use "
                    + "jdbc:postgresql://host:port/database?parameter=value&...");
            return;
        }
        String mode = parsed.getProperty("sslmode");
        if (mode != null && !SSL_MODES.contains(mode.toLowerCase(Locale.ROOT))) {
            problems.add(ConfigKey.PG_URL.environment() + " has sslmode=" + mode + ": use disable, allow, prefer, require, verify-ca or "
                    + "verify-full (verify-full checks the CA and the host name)");
        }
        for (String fileParameter : List.of("sslrootcert", "sslcert", "sslkey")) {
            String file = parsed.getProperty(fileParameter);
            if (file != null && !file.isEmpty() && !Files.isReadable(Path.of(file))) {
                problems.add(ConfigKey.PG_URL.environment() + " has " + fileParameter + "=" + file + ", which cannot be read: check the path "
                        + "and that this user may read it");
            }
        }
    }

    /**
     * The CA file the Neo4j driver is to trust, or null when none is set. The driver refuses a trust setting with a
     * {@code +s}/{@code +ssc} URI (those schemes carry their own), so that pair is a configuration error here, not a
     * driver exception at the first connection.
     */
    static Path neo4jTrustedCa(String setting, String uri, List<String> problems) {
        String name = setting == null ? "" : setting.strip();
        if (name.isEmpty()) {
            return null;
        }
        ConfigKey key = ConfigKey.NEO4J_TRUSTED_CA_FILE;
        if (uri != null && uri.matches("(bolt|neo4j)\\+s(sc)?://.*")) {
            String plain = uri.replaceFirst("\\+s(sc)?://", "://");
            problems.add(key.environment() + " is set and " + ConfigKey.NEO4J_URI.environment() + " is '" + uri + "': a +s/+ssc URI brings its "
                    + "own trust and the driver takes no CA file with it; use " + plain + " with the CA file (encrypted, trusting that CA), "
                    + "or unset " + key.environment() + " to trust the JVM's CAs");
        }
        Path file = Path.of(name);
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                problems.add(key.environment() + " (" + name + ") holds no certificate: give the CA's certificate in PEM "
                        + "(-----BEGIN CERTIFICATE-----)");
            }
        } catch (IOException e) {
            problems.add(key.environment() + " (" + name + ") cannot be read (" + e.getClass().getSimpleName() + "): check the path and "
                    + "that this user may read it");
        } catch (CertificateException e) {
            problems.add(key.environment() + " (" + name + ") is not a certificate: give the CA's certificate in PEM "
                    + "(-----BEGIN CERTIFICATE-----)");
        }
        return file;
    }
}
