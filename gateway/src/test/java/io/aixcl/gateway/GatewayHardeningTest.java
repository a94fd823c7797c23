package io.aixcl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A gateway with CORS and an extra host name configured, fuzzed on every POST route, over the real engine. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayHardeningTest {

    static final String ORIGIN = "http://localhost:3000";
    static final List<String> POST_ROUTES = List.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings",
            "/api/chat", "/api/generate", "/api/embed", "/api/embeddings", "/api/show");

    @TempDir
    static Path runtime;

    static EmbeddedBackends backends;
    static GatewayServer gateway;
    static Http http;

    @BeforeAll
    static void start() {
        backends = new EmbeddedBackends(runtime.resolve("engine"));
        gateway = new GatewayServer(GatewayConfig.defaults().withListen(new InetSocketAddress("127.0.0.1", 0))
                .withAllowedHosts(Set.of("gateway.internal")).withCorsOrigins(Set.of(ORIGIN))
                .withTokenLimits(8, 4), backends, new TestKeys(), new RecordingAuditLog(),
                new io.aixcl.gateway.embed.MiniLmEmbedder(),
                Clock.systemUTC());
        gateway.start();
        http = new Http(gateway.address());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (backends != null) {
            backends.close();
        }
    }

    @Test
    void aConfiguredOriginGetsCorsHeadersAndItsPreflightIsAnswered() throws Exception {
        String preflight = http.raw("OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nOrigin: " + ORIGIN
                + "\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, "
                + "content-type\r\nConnection: close\r\n\r\n");
        assertThat(preflight).startsWith("HTTP/1.1 204")
                .contains("Access-Control-Allow-Origin: " + ORIGIN)
                .contains("Access-Control-Allow-Methods: GET, POST, OPTIONS")
                .contains("Access-Control-Allow-Headers: authorization, content-type")
                .contains("Vary: Origin");

        String other = http.raw("OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nOrigin: "
                + "http://evil.example\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n");
        assertThat(other).startsWith("HTTP/1.1 403").doesNotContainIgnoringCase("Access-Control-");

        String get = http.raw("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nOrigin: " + ORIGIN
                + "\r\nAuthorization: Bearer " + TestKeys.ALL + "\r\nConnection: close\r\n\r\n");
        assertThat(get).startsWith("HTTP/1.1 200").contains("Access-Control-Allow-Origin: " + ORIGIN);
    }

    @Test
    void aConfiguredHostNameIsAnsweredAndOthersAreNot() throws Exception {
        String configured = http.raw("GET /api/version HTTP/1.1\r\nHost: gateway.internal:8080\r\nAuthorization: "
                + "Bearer " + TestKeys.ALL + "\r\nConnection: close\r\n\r\n");
        assertThat(configured).startsWith("HTTP/1.1 200");
        String other = http.raw("GET /api/version HTTP/1.1\r\nHost: internal\r\nAuthorization: Bearer "
                + TestKeys.ALL + "\r\nConnection: close\r\n\r\n");
        assertThat(other).startsWith("HTTP/1.1 403");
    }

    @Test
    void malformedAndRandomBodiesOnEveryPostRouteGetA4xxJsonErrorNeverA500() throws Exception {
        Random random = new Random(20261122);
        List<String> seeds = List.of(
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}",
                "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":2,\"stream\":false}",
                "{\"model\":\"all-minilm\",\"input\":[\"a\",\"b\"]}",
                "{\"model\":\"tiny\",\"options\":{\"num_predict\":2,\"stop\":[\"x\"]},\"stream\":true}");
        int answered = 0;
        for (int i = 0; i < 400; i++) {
            String route = POST_ROUTES.get(random.nextInt(POST_ROUTES.size()));
            String body = mutate(seeds.get(random.nextInt(seeds.size())), random);
            HttpResponse<String> response = http.post(route, TestKeys.ALL, body);
            int status = response.statusCode();
            assertThat(status).as(route + " " + body).isIn(200, 400, 404, 413);
            if (status != 200) {
                JsonNode error = Http.JSON.readTree(response.body()).get("error");
                assertThat(error).as(route + " " + body).isNotNull();
                assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
            }
            answered++;
        }
        assertThat(answered).isEqualTo(400);
        assertThat(http.get("/api/version", TestKeys.ALL).statusCode()).isEqualTo(200);
    }

    /** Cuts, splices, retypes or garbles a valid body. */
    private static String mutate(String seed, Random random) {
        StringBuilder body = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        String[] tokens = {"null", "[]", "{}", "-1", "1e309", "\"\"", "true", "\"\\u0000\"", "[[[[", "}", ",", ":",
                "\"model\"", "99999999999999999999", "\"\\ud800\"", "{\"role\":7}", "0.5"};
        for (int e = 0; e < edits && body.length() > 0; e++) {
            int at = random.nextInt(body.length());
            switch (random.nextInt(4)) {
                case 0 -> body.setLength(at);
                case 1 -> body.insert(at, tokens[random.nextInt(tokens.length)]);
                case 2 -> body.deleteCharAt(at);
                default -> body.setCharAt(at, (char) (random.nextInt(95) + 32));
            }
        }
        return body.toString();
    }
}
