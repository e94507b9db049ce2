package io.nexussync.app.wiring;

import io.nexussync.app.config.SyncConfig;
import io.nexussync.core.error.ErrorText;
import io.nexussync.core.error.SyncException;
import java.util.concurrent.TimeUnit;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.exceptions.AuthenticationException;
import org.neo4j.driver.exceptions.SecurityException;
import org.neo4j.driver.exceptions.ServiceUnavailableException;

/** Opens the Neo4j driver and proves the server answers, with a message that names the fix when it does not. */
public final class Neo4jConnector {
    private Neo4jConnector() {}

    public static Driver connect(SyncConfig config) {
        Config.ConfigBuilder settings = Config.builder()
                .withConnectionTimeout(10, TimeUnit.SECONDS)
                .withMaxConnectionPoolSize(16)
                .withLogging(Logging.slf4j());
        if (config.neo4jTrustedCaFile() != null) {
            // With a bolt:// or neo4j:// URI (ConfigLoader refuses a +s one): encrypted, trusting only what this CA signed.
            settings.withEncryption().withTrustStrategy(Config.TrustStrategy.trustCustomCertificateSignedBy(config.neo4jTrustedCaFile().toFile()));
        }
        Driver driver = GraphDatabase.driver(config.neo4jUri(),
                config.neo4jAuthentication() ? AuthTokens.basic(config.neo4jUser(), config.neo4jPassword()) : AuthTokens.none(),
                settings.build());
        try {
            driver.verifyConnectivity();
            return driver;
        } catch (AuthenticationException e) {
            driver.close();
            throw SyncException.persistent("Neo4j at " + config.neo4jUri() + " refused the credentials of user '" + config.neo4jUser()
                    + "': check NEXUS_SYNC_NEO4J_USER and NEXUS_SYNC_NEO4J_PASSWORD (empty user: no authentication)", e);
        } catch (SecurityException e) {
            driver.close();
            String fix = config.neo4jTrustedCaFile() != null
                    ? ": is NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE (" + config.neo4jTrustedCaFile() + ") the CA that signed the server's certificate, "
                            + "and is the host name of NEXUS_SYNC_NEO4J_URI in that certificate?"
                    : ": with a +s URI the server's certificate must be signed by a CA this JVM trusts; for a private CA use a bolt:// or "
                            + "neo4j:// URI with NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE";
            throw SyncException.persistent(ErrorText.withDetail("Neo4j at " + config.neo4jUri() + " is not trusted: the TLS handshake failed" + fix,
                    e.getMessage()), e);
        } catch (ServiceUnavailableException e) {
            driver.close();
            String fix = ": is it running, and is NEXUS_SYNC_NEO4J_URI right?"
                    + (config.neo4jTrustedCaFile() == null && !config.neo4jUri().contains("+s")
                            ? " (a server that requires TLS needs a neo4j+s:// or bolt+s:// URI, or NEXUS_SYNC_NEO4J_TRUSTED_CA_FILE)" : "");
            throw SyncException.retryable(new ErrorText("cannot reach Neo4j at " + config.neo4jUri() + " (" + e.getMessage() + ")" + fix,
                    "cannot reach Neo4j at " + config.neo4jUri() + " (ServiceUnavailableException; the driver's message is in the service log)" + fix), e);
        } catch (RuntimeException e) {
            driver.close();
            throw SyncException.persistent(ErrorText.withDetail("Neo4j at " + config.neo4jUri() + " cannot be used (" + e.getClass().getSimpleName() + ")",
                    e.getMessage()), e);
        }
    }
}
