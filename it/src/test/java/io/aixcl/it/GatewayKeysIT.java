package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keys enforced by the gateway, end to end with the real engine: many concurrent requests against a small budget
 * never spend past it; a revoked key is refused from the next request; a model outside the allowlist is refused.
 */
class GatewayKeysIT {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Aixcl aixcl;
    private URI chat;

    @BeforeEach
    void daemon() throws Exception {
        aixcl = new Aixcl(PodmanUser.root(), "gateway-keys");
        int port = GatewayDaemon.embedded(aixcl, "  concurrency: 4\n  queue: 64\n", "tiny:1", "other:1");
        chat = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
    }

    @AfterEach
    void stop() {
        if (aixcl != null) {
            aixcl.run("daemon", "stop");
        }
    }

    private HttpResponse<String> chat(String key, String model) {
        String body = "{\"model\":\"" + model + "\",\"max_tokens\":8,\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Count to three\"}]}";
        try {
            return http.send(HttpRequest.newBuilder(chat).timeout(Duration.ofSeconds(120))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void concurrentRequestsNeverSpendPastTheBudget() throws Exception {
        long budget = 400;
        String key = GatewayDaemon.createKey(aixcl, "--name", "small", "--budget-tokens", Long.toString(budget));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            all.add(CompletableFuture.supplyAsync(() -> chat(key, "tiny:1")));
        }
        int ok = 0;
        int overBudget = 0;
        for (var f : all) {
            HttpResponse<String> r = f.join();
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                assertThat(r.body()).contains("insufficient_quota");
                overBudget++;
            }
        }
        assertThat(ok).as("some requests fit the budget").isPositive();
        assertThat(overBudget).as("some do not").isPositive();
        // Usage is written behind (within a second): wait until every answered request is counted.
        JsonNode usage = null;
        for (int i = 0; i < 40; i++) {
            usage = Json.MAPPER.readTree(aixcl.run("keys", "usage", "small", "--json").out()).get(0);
            if (usage.get("requests").asLong() == ok) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(usage.get("requests").asLong()).isEqualTo(ok);
        long spent = usage.get("promptTokens").asLong() + usage.get("completionTokens").asLong();
        assertThat(spent).as("tokens spent").isPositive().isLessThanOrEqualTo(budget);
        assertThat(usage.get("budgetLeft").asLong()).isEqualTo(budget - spent);
    }

    @Test
    void aRevokedKeyIsRefusedAtOnceAndTheAllowlistHolds() {
        String key = GatewayDaemon.createKey(aixcl, "--name", "narrow", "--models", "tiny:1");
        assertThat(chat(key, "tiny:1").statusCode()).isEqualTo(200);
        HttpResponse<String> other = chat(key, "other:1");
        assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
        assertThat(other.body()).contains("model_not_allowed");

        assertThat(aixcl.run("keys", "revoke", "narrow").exit()).isZero();
        HttpResponse<String> revoked = chat(key, "tiny:1");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(401);
        assertThat(revoked.body()).contains("invalid_api_key");
    }
}
