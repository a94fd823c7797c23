package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two daemons chained: A serves the real tiny model on its embedded llama.cpp engine behind its gateway; B's runtime
 * core is A's gateway, reached over the OpenAI API ({@code engine: openai}) or the Ollama API ({@code engine:
 * ollama} with {@code inference.url}), with a key created on A. Everything is asked of B's gateway with a key created
 * on B, and A's own records say what reached it.
 */
class UpstreamChainIT {
    private static final Path MODEL = Aixcl.REPO.resolve("../shared/models/llama-2-tiny-random.gguf").normalize();
    private static final String MODEL_ID = "tiny:1";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Node a;
    private Node b;

    /** One daemon with its gateway's port and a key created on it. */
    private record Node(Aixcl aixcl, int port, String key) {
        HttpResponse<String> post(String path, String json) {
            return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(json))
                    .header("Content-Type", "application/json"));
        }

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(uri(path)).GET());
        }

        private URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        private HttpResponse<String> send(HttpRequest.Builder request) {
            try {
                return HTTP.send(request.header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(90))
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        JsonNode usage() throws IOException {
            return Json.MAPPER.readTree(ok(aixcl.run("keys", "usage", "--json")).out()).get(0);
        }
    }

    @AfterEach
    void stop() {
        for (Node n : new Node[] {b, a}) {
            if (n != null) {
                n.aixcl.run("daemon", "stop");
            }
        }
    }

    @Test
    void aDaemonServesAnotherDaemonsModelThroughTheOpenAiApi() throws Exception {
        chain("openai");
    }

    @Test
    void aDaemonServesAnotherDaemonsModelThroughTheOllamaApi() throws Exception {
        chain("ollama");
    }

    private void chain(String engine) throws Exception {
        a = embeddedDaemon();
        b = chainedDaemon(engine, a);

        // B lists A's models, through both of its APIs.
        // A lists its embedder too; B serves that name itself, and lists it once.
        assertThat(json(b.get("/v1/models")).at("/data")).extracting(m -> m.get("id").asText()).contains(MODEL_ID)
                .containsOnlyOnce("all-minilm");
        assertThat(json(b.get("/api/tags")).at("/models")).extracting(m -> m.get("name").asText())
                .contains(MODEL_ID).containsOnlyOnce("all-minilm");

        int completionTokens = 0;
        JsonNode chat = json(b.post("/v1/chat/completions", """
                {"model":"tiny:1","max_tokens":8,"messages":[{"role":"user","content":"Say hi"}]}"""));
        assertThat(chat.at("/object").asText()).isEqualTo("chat.completion");
        assertThat(chat.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(chat.at("/usage/completion_tokens").asInt()).isBetween(1, 8);
        assertThat(chat.at("/usage/prompt_tokens").asInt()).isPositive();
        completionTokens += chat.at("/usage/completion_tokens").asInt();

        HttpResponse<String> streamed = b.post("/v1/chat/completions", """
                {"model":"tiny:1","max_tokens":8,"stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"Say hi"}]}""");
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
        List<JsonNode> chunks = sse(streamed.body());
        assertThat(chunks.size()).as(streamed.body()).isGreaterThan(2);
        assertThat(chunks.stream().map(c -> c.at("/choices/0/finish_reason").asText()))
                .as(streamed.body()).containsAnyOf("stop", "length");
        JsonNode streamUsage = chunks.getLast().at("/usage");
        assertThat(streamUsage.at("/completion_tokens").asInt()).as(streamed.body()).isBetween(1, 8);
        completionTokens += streamUsage.at("/completion_tokens").asInt();

        JsonNode completion = json(b.post("/v1/completions", """
                {"model":"tiny:1","max_tokens":8,"prompt":"Once upon a time"}"""));
        assertThat(completion.at("/object").asText()).isEqualTo("text_completion");
        assertThat(completion.at("/usage/completion_tokens").asInt()).isBetween(1, 8);
        completionTokens += completion.at("/usage/completion_tokens").asInt();

        // Ollama's own routes on B: raw text, a chat, and the prompt-less load request.
        JsonNode raw = json(b.post("/api/generate", """
                {"model":"tiny:1","prompt":"Once upon a time","raw":true,"stream":false,
                 "options":{"num_predict":8}}"""));
        assertThat(raw.at("/done").asBoolean()).as(raw.toString()).isTrue();
        assertThat(raw.at("/eval_count").asInt()).isBetween(1, 8);
        completionTokens += raw.at("/eval_count").asInt();
        JsonNode load = json(b.post("/api/generate", """
                {"model":"tiny:1","keep_alive":"5m"}"""));
        assertThat(load.at("/done").asBoolean()).as(load.toString()).isTrue();
        assertThat(load.at("/done_reason").asText()).isEqualTo("load");
        JsonNode ps = json(b.get("/api/ps"));
        if (engine.equals("ollama")) {
            // Through Ollama's API the upstream tells which models are in memory, and B passes it on.
            assertThat(ps.at("/models")).extracting(m -> m.get("name").asText()).containsExactly(MODEL_ID);
        } else {
            assertThat(ps.at("/models")).as("an OpenAI-compatible server does not say").isEmpty();
        }
        assertThat(json(a.get("/api/ps")).at("/models")).extracting(m -> m.get("name").asText())
                .containsExactly(MODEL_ID);
        // Ollama's unload: through B, and, over Ollama's API, on to A, which frees the model.
        JsonNode unload = json(b.post("/api/generate", """
                {"model":"tiny:1","keep_alive":0}"""));
        assertThat(unload.at("/done_reason").asText()).isEqualTo("unload");
        if (engine.equals("ollama")) {
            assertThat(json(a.get("/api/ps")).at("/models")).as("A freed the model").isEmpty();
            assertThat(json(b.get("/api/ps")).at("/models")).isEmpty();
        }

        // Usage: B's key is billed what B's clients saw, and A's key what B asked of A.
        JsonNode usageB = b.usage();
        assertThat(usageB.get("completionTokens").asLong()).as(usageB.toString()).isEqualTo(completionTokens);
        JsonNode usageA = a.usage();
        assertThat(usageA.get("completionTokens").asLong()).as(usageA.toString()).isEqualTo(completionTokens);
        assertThat(usageA.get("promptTokens").asLong()).as(usageA.toString())
                .isEqualTo(usageB.get("promptTokens").asLong());
        assertThat(usageA.get("requests").asLong()).as(usageA.toString()).isPositive();

        // A model A does not have: B says so, as a 404 naming it.
        HttpResponse<String> missing = b.post("/v1/chat/completions", """
                {"model":"nope:1","max_tokens":8,"messages":[{"role":"user","content":"Say hi"}]}""");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(missing.body()).at("/error/code").asText()).isEqualTo("model_not_found");
        assertThat(missing.body()).contains("nope:1");

        clientGoneEndsTheGenerationOnA();

        // A stops: B answers 503 engine_unavailable at once, and serves again when A is back.
        ok(a.aixcl.run("daemon", "stop"));
        long t0 = System.nanoTime();
        HttpResponse<String> down = b.post("/v1/chat/completions", """
                {"model":"tiny:1","max_tokens":4,"messages":[{"role":"user","content":"Say hi"}]}""");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(down.body()).at("/error/code").asText()).as(down.body())
                .isEqualTo("engine_unavailable");
        ok(a.aixcl.run("daemon", "start"));
        HttpResponse<String> back = awaitStatus(() -> b.post("/v1/chat/completions", """
                {"model":"tiny:1","max_tokens":4,"messages":[{"role":"user","content":"Say hi"}]}"""), 200,
                Duration.ofSeconds(60));
        assertThat(json(back).at("/object").asText()).isEqualTo("chat.completion");

        // A revokes B's key: B answers a clear error naming the refusal, promptly.
        ok(a.aixcl.run("keys", "revoke", "upstream"));
        t0 = System.nanoTime();
        HttpResponse<String> refused = b.post("/v1/chat/completions", """
                {"model":"tiny:1","max_tokens":4,"messages":[{"role":"user","content":"Say hi"}]}""");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.body()).contains("401").containsIgnoringCase("key").doesNotContain("Exception");
        assertThat(refused.body()).doesNotContain(a.key);
        for (String path : List.of("/v1/models", "/api/tags", "/api/ps")) {
            HttpResponse<String> listing = b.get(path);
            assertThat(listing.statusCode()).as(path + ": " + listing.body()).isEqualTo(503);
            assertThat(listing.body()).as(path).contains("401");
        }
    }

    /**
     * A streamed request to B cut off by its client after the first token: the generation on A ends too, and A's
     * audit log records it as cancelled, short of its token limit.
     */
    private void clientGoneEndsTheGenerationOnA() throws Exception {
        int maxTokens = 8192; // the most the gateway takes
        String body = """
                {"model":"tiny:1","max_tokens":%d,"stream":true,"messages":[{"role":"user","content":"Tell a story"}]}"""
                .formatted(maxTokens);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), b.port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + b.port + "\r\nAuthorization: Bearer "
                    + b.key + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String head = readUntil(in, "\r\n\r\n");
            assertThat(head).startsWith("HTTP/1.1 200");
            readUntil(in, "\"content\"");
        }
        JsonNode cancelled = await(() -> auditEntries(a).stream()
                .filter(e -> e.at("/parameters/finishReason").asText().equals("cancelled")).findFirst().orElse(null),
                Duration.ofSeconds(30), "A's audit log records the cut generation as cancelled");
        // Cut after its first token, it ends within a second or so (a few hundred tokens), where running to the end
        // of the model's 4096-token context takes some 4000 tokens and about ten seconds here.
        assertThat(cancelled.at("/parameters/completionTokens").asInt()).as(cancelled.toString())
                .isLessThan(2048);
        assertThat(cancelled.at("/parameters/latencyMs").asLong()).as(cancelled.toString()).isLessThan(5_000);
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder seen = new StringBuilder();
        while (seen.indexOf(marker) < 0) {
            int c = in.read();
            assertThat(c).as("B's answer ended before " + marker + ": " + seen).isNotNegative();
            seen.append((char) c);
        }
        return seen.toString();
    }

    private Node embeddedDaemon() throws Exception {
        int port = freePort();
        Aixcl aixcl = new Aixcl(PodmanUser.root(), "chain-a");
        Files.createDirectories(aixcl.home.resolve("config"));
        aixcl.write("config/settings.yaml", """
                version: 1
                inference:
                  engine: embedded
                gateway:
                  listen: 127.0.0.1:%d
                """.formatted(port));
        ok(aixcl.run("models", "add", MODEL.toString(), "--name", MODEL_ID));
        return new Node(aixcl, port, createKey(aixcl, "upstream"));
    }

    private Node chainedDaemon(String engine, Node upstream) throws Exception {
        int port = freePort();
        Aixcl aixcl = new Aixcl(PodmanUser.root(), "chain-b-" + engine);
        Files.createDirectories(aixcl.home.resolve("config"));
        Path keyFile = aixcl.write("config/upstream-key", upstream.key + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        aixcl.write("config/settings.yaml", """
                version: 1
                inference:
                  engine: %s
                  url: http://127.0.0.1:%d
                  api_key_file: %s
                gateway:
                  listen: 127.0.0.1:%d
                """.formatted(engine, upstream.port, keyFile, port));
        return new Node(aixcl, port, createKey(aixcl, "client"));
    }

    private static String createKey(Aixcl aixcl, String name) {
        return GatewayDaemon.createKey(aixcl, "--name", name);
    }

    private static List<JsonNode> auditEntries(Node n) {
        try {
            List<JsonNode> out = new ArrayList<>();
            Json.MAPPER.readTree(ok(n.aixcl.run("audit", "tail", "--json", "-n", "100")).out()).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<JsonNode> sse(String body) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                events.add(Json.MAPPER.readTree(line.substring(6)));
            }
        }
        assertThat(body.strip()).endsWith("data: [DONE]");
        return events;
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).as(r.request().uri() + ": " + r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private static HttpResponse<String> awaitStatus(Supplier<HttpResponse<String>> call, int status,
                                                    Duration timeout) {
        HttpResponse<String>[] last = new HttpResponse[1];
        await(() -> {
            last[0] = call.get();
            return last[0].statusCode() == status ? last[0] : null;
        }, timeout, "status " + status);
        return last[0];
    }

    /** Polls {@code probe} until it gives a value, failing with {@code what} after {@code timeout}. */
    private static <T> T await(Supplier<T> probe, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            assertThat(System.nanoTime()).as("timed out waiting: " + what).isLessThan(deadline);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static Aixcl.Run ok(Aixcl.Run r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    private static int freePort() throws IOException {
        return GatewayDaemon.freePort();
    }
}
