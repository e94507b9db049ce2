package io.nexussync.it.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA of the test's own, a server certificate for {@code localhost} and {@code 127.0.0.1} signed by it, and a second,
 * unrelated CA: made with the JDK's keytool (always there, no library), valid for two days.
 *
 * @param ca         the CA's certificate (PEM): what a client that trusts the server is given
 * @param wrongCa    another CA's certificate (PEM), which signed nothing of the server's
 * @param serverCert the server's certificate (PEM)
 * @param serverKey  the server's private key (PKCS#8 PEM, unencrypted), as PostgreSQL and Neo4j read it
 */
public record TestCertificates(Path ca, Path wrongCa, Path serverCert, Path serverKey) {
    private static final String PASSWORD = "test-only-store";

    public static TestCertificates create(Path directory) throws IOException, InterruptedException, GeneralSecurityException {
        Files.createDirectories(directory);
        Path caStore = directory.resolve("ca.p12");
        Path wrongStore = directory.resolve("wrong-ca.p12");
        Path serverStore = directory.resolve("server.p12");
        Path request = directory.resolve("server.csr");
        TestCertificates certificates = new TestCertificates(directory.resolve("ca.crt"), directory.resolve("wrong-ca.crt"),
                directory.resolve("server.crt"), directory.resolve("server.key"));
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=nexus-sync test CA", "-ext", "bc:c",
                "-validity", "2", "-keystore", caStore.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-file", certificates.ca().toString());
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=nexus-sync unrelated CA", "-ext", "bc:c",
                "-validity", "2", "-keystore", wrongStore.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", wrongStore.toString(), "-file", certificates.wrongCa().toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-validity", "2",
                "-keystore", serverStore.toString());
        keytool("-certreq", "-alias", "server", "-keystore", serverStore.toString(), "-file", request.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", caStore.toString(), "-infile", request.toString(), "-outfile",
                certificates.serverCert().toString(), "-rfc", "-validity", "2", "-ext", "san=dns:localhost,ip:127.0.0.1",
                "-ext", "ku:c=digitalSignature,keyEncipherment", "-ext", "eku=serverAuth");
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverStore)) {
            server.load(in, PASSWORD.toCharArray());
        }
        byte[] pkcs8 = server.getKey("server", PASSWORD.toCharArray()).getEncoded();
        Files.writeString(certificates.serverKey(), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n");
        return certificates;
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(1, TimeUnit.MINUTES) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", arguments) + " failed: " + output);
        }
    }
}
