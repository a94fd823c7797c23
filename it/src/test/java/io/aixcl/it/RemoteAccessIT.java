package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TCP listener matrix against the real daemon ({@code aixcl daemon start --listen 127.0.0.1:PORT}): each way in
 * without the right credentials is refused with the right answer, and the right credentials work, through the CLI
 * too. Each case comes from its own loopback address (127.0.0.N), because throttling is per client address.
 */
class RemoteAccessIT {
    private static Aixcl owner;
    private static Aixcl mtlsOwner;
    private static int port;
    private static int mtlsPort;
    private static String admin;
    private static String read;

    @BeforeAll
    static void startDaemons() throws Exception {
        owner = new Aixcl(PodmanUser.root(), "remote");
        List<Integer> ports = TestImages.freeLoopbackPorts(2);
        port = ports.get(0);
        mtlsPort = ports.get(1);
        ok(owner.run("daemon", "start", "--listen", "127.0.0.1:" + port));
        admin = createToken(owner, "admin-1", "admin");
        read = createToken(owner, "reader", "read");

        mtlsOwner = new Aixcl(PodmanUser.root(), "remote-mtls");
        ok(mtlsOwner.run("daemon", "start", "--listen", "127.0.0.1:" + mtlsPort, "--need-client-auth"));
    }

    @AfterAll
    static void stopDaemons() {
        for (Aixcl a : new Aixcl[] {owner, mtlsOwner}) {
            if (a != null) {
                a.run("daemon", "stop");
            }
        }
    }

    private static Aixcl.Run ok(Aixcl.Run r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    private static String createToken(Aixcl a, String name, String scope, String... more) {
        List<String> args = new ArrayList<>(List.of("tokens", "create", "--name", name, "--scope", scope));
        args.addAll(List.of(more));
        return ok(a.run(args.toArray(String[]::new))).out().strip();
    }

    private static Path ca(Aixcl a) {
        return a.home.resolve("data/tls/ca.crt");
    }

    private static SSLContext trusting(Path ca, Optional<KeyStore> clientKeys) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(ca))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientKeys.isPresent()) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(clientKeys.get(), "changeit".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** One request from {@code from} (a loopback address of its own), with an optional bearer token. */
    private static HttpResponse<String> call(String from, int toPort, SSLContext tls, String method, String path,
                                             Optional<String> token) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .localAddress(InetAddress.getByName(from)).connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + toPort + path))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}")
                        : HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String from, String path, Optional<String> token) throws Exception {
        return call(from, port, trusting(ca(owner), Optional.empty()), "GET", path, token);
    }

    @Test
    void noTokenIs401WithABearerChallengeAndTheRefusalIsLogged() throws Exception {
        HttpResponse<String> r = get("127.0.0.2", "/v1/daemon", Optional.empty());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"aixcl\"");
        assertThat(r.body()).contains("UNAUTHENTICATED").doesNotContain("pid");
        assertThat(Files.readString(owner.home.resolve("data/logs/aixcld.log")))
                .contains("refused GET /v1/daemon from an unknown peer: TCP client 127.0.0.2: no bearer token");
    }

    @Test
    void aWrongTokenIs401() throws Exception {
        assertThat(get("127.0.0.3", "/v1/daemon", Optional.of("aixcl_" + "A".repeat(43))).statusCode())
                .isEqualTo(401);
        assertThat(get("127.0.0.3", "/v1/daemon", Optional.of(admin + "x")).statusCode()).isEqualTo(401);
    }

    @Test
    void anExpiredTokenIs401() throws Exception {
        String shortLived = createToken(owner, "short-lived", "admin", "--expires", "2s");
        assertThat(get("127.0.0.4", "/v1/daemon", Optional.of(shortLived)).statusCode()).isEqualTo(200);

        Thread.sleep(2500);

        HttpResponse<String> r = get("127.0.0.4", "/v1/daemon", Optional.of(shortLived));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("expired or was revoked");
    }

    @Test
    void aRevokedTokenIs401AtOnce() throws Exception {
        String doomed = createToken(owner, "doomed", "admin");
        assertThat(get("127.0.0.5", "/v1/daemon", Optional.of(doomed)).statusCode()).isEqualTo(200);

        ok(owner.run("tokens", "revoke", "doomed"));

        assertThat(get("127.0.0.5", "/v1/daemon", Optional.of(doomed)).statusCode()).isEqualTo(401);
        assertThat(ok(owner.run("tokens", "list")).out()).containsPattern("doomed +admin +revoked");
    }

    @Test
    void aReadTokenReadsButCannotStartTheStackOrListTokens() throws Exception {
        SSLContext tls = trusting(ca(owner), Optional.empty());
        assertThat(call("127.0.0.6", port, tls, "GET", "/v1/daemon", Optional.of(read)).statusCode()).isEqualTo(200);

        HttpResponse<String> start = call("127.0.0.6", port, tls, "POST", "/v1/stack/start", Optional.of(read));
        assertThat(start.statusCode()).isEqualTo(403);
        assertThat(start.body()).contains("has scope read; POST /v1/stack/start needs operate");
        assertThat(call("127.0.0.6", port, tls, "GET", "/v1/tokens", Optional.of(read)).statusCode()).isEqualTo(403);
    }

    @Test
    void plainHttpToTheTlsPortGetsNoHttpAnswer() throws Exception {
        byte[] answer;
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.7"), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /v1/daemon HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            answer = readUntilClosed(s.getInputStream());
        }
        // Jetty's TLS layer does not speak HTTP to a client that skipped the handshake: it answers with one fatal
        // TLS alert record (type 21, TLS 1.2 record version, 2 bytes: level 2 = fatal) and closes the connection.
        assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.").doesNotContain("pid");
        assertThat(answer).hasSize(7);
        assertThat(answer[0]).as("record type: alert").isEqualTo((byte) 21);
        assertThat(answer[5]).as("alert level: fatal").isEqualTo((byte) 2);
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the TLS port kept a plain-HTTP connection open without answering", e);
        } catch (IOException e) {
            // reset by the server: as good as closed
        }
        return got.toByteArray();
    }

    @Test
    void anAdminTokenWorksThroughTheCliWithHost() throws Exception {
        Path tokenFile = owner.write("admin.token", admin + "\n");
        Aixcl.Run r = owner.run("--host", "https://127.0.0.1:" + port, "--token-file", tokenFile.toString(),
                "--ca", ca(owner).toString(), "tokens", "list");

        ok(r);
        assertThat(r.out()).contains("admin-1").contains("reader").doesNotContain(admin);
        Aixcl.Run status = owner.run(java.util.Map.of("AIXCL_HOST", "https://localhost:" + port, "AIXCL_TOKEN", read,
                "AIXCL_CA", ca(owner).toString()), "daemon", "status", "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(status.out()).contains("\"pid\"");
    }

    @Test
    void theCliSaysWhatScopeIsMissingAndExitsWithTheAccessCode() throws Exception {
        Aixcl.Run r = owner.run(java.util.Map.of("AIXCL_TOKEN", read), "--host", "https://127.0.0.1:" + port,
                "--ca", ca(owner).toString(), "stack", "stop");

        assertThat(r.exit()).as(r.toString()).isEqualTo(9);
        assertThat(r.err()).contains("needs operate");
    }

    @Test
    void theCliRefusesADaemonWhoseCertificateIsNotFromThePinnedCa() throws Exception {
        Aixcl.Run r = owner.run(java.util.Map.of("AIXCL_TOKEN", admin), "--host", "https://127.0.0.1:" + port,
                "--ca", ca(mtlsOwner).toString(), "daemon", "status");

        assertThat(r.exit()).as(r.toString()).isEqualTo(8);
        assertThat(r.err()).contains("TLS handshake with https://127.0.0.1:" + port + " failed");
    }

    @Test
    void repeatedFailuresFromOneClientAreThrottledWith429AndRetryAfterWhileOthersGetIn() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(get("127.0.0.9", "/v1/daemon", Optional.of("aixcl_wrong" + i)).statusCode()).isEqualTo(401);
        }

        HttpResponse<String> locked = get("127.0.0.9", "/v1/daemon", Optional.of(admin));
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).hasValueSatisfying(
                v -> assertThat(Integer.parseInt(v)).isBetween(1, 2));
        assertThat(locked.body()).contains("too many failed attempts from 127.0.0.9");
        assertThat(get("127.0.0.10", "/v1/daemon", Optional.of(admin)).statusCode()).isEqualTo(200);
    }

    @Test
    void withClientAuthRequiredAMissingClientCertificateFailsTheHandshake() throws Exception {
        String token = createToken(mtlsOwner, "m-admin", "admin");
        SSLContext noCert = trusting(ca(mtlsOwner), Optional.empty());

        assertThatThrownBy(() -> call("127.0.0.11", mtlsPort, noCert, "GET", "/v1/daemon", Optional.of(token)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void withClientAuthRequiredACertificateFromAForeignCaFailsTheHandshake() throws Exception {
        String token = createToken(mtlsOwner, "m-admin-2", "admin");
        Path store = mtlsOwner.home.resolve("foreign.p12");
        // A self-signed client certificate: its own CA, not the daemon's.
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-alias", "foreign", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=intruder",
                "-validity", "2").redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(out).isZero();
        KeyStore foreign = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            foreign.load(in, "changeit".toCharArray());
        }
        SSLContext tls = trusting(ca(mtlsOwner), Optional.of(foreign));

        assertThatThrownBy(() -> call("127.0.0.12", mtlsPort, tls, "GET", "/v1/daemon", Optional.of(token)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void withClientAuthRequiredAClientCertificateFromTokensCreateGetsInThroughTheCli() throws Exception {
        Path certDir = mtlsOwner.home.resolve("client");
        String token = createToken(mtlsOwner, "m-ops", "operate", "--client-cert", certDir.toString());
        assertThat(certDir.resolve("client.key")).satisfies(k -> assertThat(
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(k)))
                .isEqualTo("rw-------"));

        Aixcl.Run r = mtlsOwner.run(java.util.Map.of("AIXCL_TOKEN", token), "--host",
                "https://127.0.0.1:" + mtlsPort, "--client-cert", certDir.toString(), "daemon", "status");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("running");
    }

    @Test
    void aNonLoopbackListenAddressWithoutTheExplicitFlagStopsTheDaemonWithAClearMessage() throws Exception {
        Aixcl other = new Aixcl(PodmanUser.root(), "remote-refused");
        Aixcl.Run r = other.run("daemon", "start", "--listen", "0.0.0.0:" + TestImages.freeLoopbackPort());

        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err()).contains("refusing to listen on 0.0.0.0:").contains("--allow-remote");
        assertThat(other.run("daemon", "status").exit()).isEqualTo(8);
    }
}
