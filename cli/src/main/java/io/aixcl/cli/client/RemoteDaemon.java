package io.aixcl.cli.client;

import io.aixcl.cli.CliException;
import io.aixcl.cli.ExitCodes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * A remote daemon's TLS listener, through the JDK's HTTP client. The daemon's certificate must chain to the pinned
 * local CA (nothing else is trusted, hostname checks stay on); every request carries the bearer token; a client
 * certificate is presented when one is configured (mutual TLS).
 */
public final class RemoteDaemon implements Transport {
    private final URI base;
    private final String token;
    private final HttpClient http;

    public RemoteDaemon(URI base, String token, SSLContext tls) {
        this.base = base;
        this.token = token;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** From the CLI's options; each file is checked and a missing one named. */
    public static RemoteDaemon connect(String host, Optional<String> token, Optional<Path> tokenFile, Path ca,
                                       Optional<Path> clientCertDir) {
        URI base = baseUri(host);
        String secret = tokenFile.map(RemoteDaemon::readToken).or(() -> token.map(String::strip))
                .filter(s -> !s.isEmpty())
                .orElseThrow(() -> new CliException(ExitCodes.INVALID_INPUT, "a remote daemon needs a token: "
                        + "--token-file FILE or AIXCL_TOKEN (create one with 'aixcl tokens create' on its host)"));
        return new RemoteDaemon(base, secret, tls(ca, clientCertDir));
    }

    static URI baseUri(String host) {
        URI u;
        try {
            u = URI.create(host.endsWith("/") ? host.substring(0, host.length() - 1) : host);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.INVALID_INPUT, "invalid --host '" + host + "': " + e.getMessage());
        }
        if (!"https".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 1
                || (u.getPath() != null && !u.getPath().isEmpty()) || u.getQuery() != null) {
            throw new CliException(ExitCodes.INVALID_INPUT, "invalid --host '" + host + "': expected "
                    + "https://ADDRESS:PORT (the daemon's TLS listener; plain http is never used)");
        }
        return u;
    }

    @Override
    public Reply send(String method, String path, byte[] body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            return new Reply(r.statusCode(), r.body(), r.body());
        } catch (SSLHandshakeException e) {
            throw new CliException(ExitCodes.DAEMON_UNAVAILABLE, "TLS handshake with " + base + " failed: "
                    + e.getMessage() + " (is --ca the daemon's CA, from 'aixcl tokens ca'? does it require a client "
                    + "certificate, --client-cert DIR?)");
        } catch (java.net.ConnectException e) {
            throw new CliException(ExitCodes.DAEMON_UNAVAILABLE, "cannot reach aixcld at " + base + ": "
                    + (e.getMessage() == null ? "connection refused" : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.CANCELLED, "interrupted");
        }
    }

    @Override
    public boolean answers() {
        try (Reply r = send("GET", "/v1/daemon", null)) {
            return r.status() < 500;
        } catch (IOException | CliException e) {
            return false;
        }
    }

    @Override
    public String where() {
        return base.toString();
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new CliException(ExitCodes.INVALID_INPUT, "cannot read the token file " + file + ": " + e);
        }
    }

    static SSLContext tls(Path ca, Optional<Path> clientCertDir) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates(ca)) {
                trust.setCertificateEntry("aixcl-ca-" + i++, c);
            }
            if (i == 0) {
                throw new CliException(ExitCodes.INVALID_INPUT, ca + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (clientCertDir.isPresent()) {
                Path dir = clientCertDir.get();
                char[] pw = "in-memory".toCharArray();
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                Collection<? extends Certificate> chain = certificates(dir.resolve(ClientCertFiles.CERT));
                keys.setKeyEntry("client", privateKey(dir.resolve(ClientCertFiles.KEY)), pw,
                        chain.toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, pw);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException(ExitCodes.INVALID_INPUT, "cannot set up TLS: " + e.getMessage());
        }
    }

    private static Collection<? extends Certificate> certificates(Path file) throws IOException,
            GeneralSecurityException {
        if (!Files.isRegularFile(file)) {
            throw new CliException(ExitCodes.INVALID_INPUT, "no such file: " + file);
        }
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)));
    }

    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        if (!Files.isRegularFile(file)) {
            throw new CliException(ExitCodes.INVALID_INPUT, "no such file: " + file);
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String b64 = text.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(b64)));
    }

    static X509Certificate parse(String pem) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
