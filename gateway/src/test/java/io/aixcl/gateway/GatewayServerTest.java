package io.aixcl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.core.audit.AuditEvent;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The gateway over real HTTP in front of a real embedded llama.cpp engine, with the real MiniLM embedder. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayServerTest {

    /** Said in prompts so the test can prove no prompt text reaches the audit log. */
    static final String SECRET_PROMPT = "zebra-quartz-prompt-7731";

    @TempDir
    static Path runtime;

    static EmbeddedBackends backends;
    static TestKeys keys;
    static RecordingAuditLog audit;
    static GatewayServer gateway;
    static Http http;

    @BeforeAll
    static void start() {
        backends = new EmbeddedBackends(runtime.resolve("engine"));
        keys = new TestKeys();
        audit = new RecordingAuditLog();
        gateway = new GatewayServer(GatewayConfig.defaults().withListen(new InetSocketAddress("127.0.0.1", 0))
                .withMaxBodyBytes(64 * 1024).withTokenLimits(2048, 16),
                backends, keys, audit, new io.aixcl.gateway.embed.MiniLmEmbedder(), Clock.systemUTC());
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

    private static String chat(String model, int maxTokens, String extra) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + ",\"temperature\":0,\"seed\":3,"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"Be terse.\"},"
                + "{\"role\":\"user\",\"content\":\"" + SECRET_PROMPT + "\"}]" + extra + "}";
    }

    @Test
    void openAiChatAnswersInOpenAisShapeAndSettlesTheRealUsage() throws Exception {
        HttpResponse<String> response = http.post("/v1/chat/completions", TestKeys.ALL, chat("tiny", 8, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = Http.json(response);
        assertThat(body.get("id").asText()).startsWith("chatcmpl-").hasSize("chatcmpl-".length() + 24);
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000, within(60));
        assertThat(body.get("model").asText()).isEqualTo("tiny");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").isTextual()).isTrue();
        assertThat(choice.get("finish_reason").asText()).isIn("stop", "length");
        JsonNode usage = body.get("usage");
        int prompt = usage.get("prompt_tokens").asInt();
        int completion = usage.get("completion_tokens").asInt();
        assertThat(prompt).isGreaterThan(5);
        assertThat(completion).isBetween(1, 8);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(prompt + completion);

        TestKeys.Held held = keys.reservations.stream().filter(h -> h.model.equals("tiny") && h.reserved > 8)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(held.settled).isNotNull();
        assertThat(held.settled.promptTokens()).isEqualTo(prompt);
        assertThat(held.settled.completionTokens()).isEqualTo(completion);
        // The reservation is an upper bound of what the real tokenizer and chat template counted, so concurrent
        // requests can never together spend past a budget.
        assertThat(held.reserved).isGreaterThanOrEqualTo(prompt + completion);
    }

    @Test
    void openAiChatStreamsServerSentEventsEndingWithDoneAndUsage() throws Exception {
        HttpResponse<String> response = http.post("/v1/chat/completions", TestKeys.ALL,
                chat("tiny", 10, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> data = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (!line.isEmpty()) {
                assertThat(line).startsWith("data: ");
                data.add(line.substring("data: ".length()));
            }
        }
        assertThat(data.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = new ArrayList<>();
        for (String event : data.subList(0, data.size() - 1)) {
            chunks.add(Http.JSON.readTree(event));
        }
        JsonNode first = chunks.getFirst();
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        String id = first.get("id").asText();
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.get("id").asText()).isEqualTo(id));
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : chunks.subList(1, chunks.size() - 2)) {
            assertThat(chunk.get("choices").get(0).get("finish_reason").isNull()).isTrue();
            text.append(chunk.get("choices").get(0).get("delta").get("content").asText());
        }
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.get("choices").get(0).get("finish_reason").asText()).isIn("stop", "length");
        JsonNode usageChunk = chunks.getLast();
        assertThat(usageChunk.get("choices")).isEmpty();
        assertThat(usageChunk.get("usage").get("completion_tokens").asInt()).isBetween(chunks.size() - 3, 10);
        assertThat(text.toString()).isNotEmpty();
    }

    @Test
    void openAiCompletionContinuesATextPrompt() throws Exception {
        HttpResponse<String> response = http.post("/v1/completions", TestKeys.ALL,
                "{\"model\":\"tiny\",\"prompt\":\"Once upon a time\",\"max_tokens\":6,\"temperature\":0}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Http.json(response);
        assertThat(body.get("id").asText()).startsWith("cmpl-");
        assertThat(body.get("object").asText()).isEqualTo("text_completion");
        assertThat(body.get("choices").get(0).get("text").isTextual()).isTrue();
        assertThat(body.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(6);
    }

    @Test
    void ollamaChatStreamsNdjsonEndingWithDoneAndCounts() throws Exception {
        HttpResponse<String> response = http.post("/api/chat", TestKeys.ALL, "{\"model\":\"tiny\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}],\"options\":{\"num_predict\":5,\"temperature\":0}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
        String[] lines = response.body().split("\n");
        assertThat(lines.length).isBetween(2, 6);
        for (int i = 0; i < lines.length - 1; i++) {
            JsonNode line = Http.JSON.readTree(lines[i]);
            assertThat(line.get("done").asBoolean()).isFalse();
            assertThat(line.get("model").asText()).isEqualTo("tiny");
            assertThat(line.get("message").get("role").asText()).isEqualTo("assistant");
            assertThat(line.get("created_at").asText()).endsWith("Z");
        }
        JsonNode last = Http.JSON.readTree(lines[lines.length - 1]);
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("done_reason").asText()).isEqualTo("length");
        assertThat(last.get("eval_count").asInt()).isEqualTo(5);
        assertThat(last.get("prompt_eval_count").asInt()).isPositive();
        long total = last.get("total_duration").asLong();
        assertThat(total).isPositive().isGreaterThanOrEqualTo(last.get("eval_duration").asLong());
    }

    @Test
    void ollamaGenerateWithoutStreamingAnswersOneObject() throws Exception {
        HttpResponse<String> response = http.post("/api/generate", TestKeys.ALL, "{\"model\":\"tiny\",\"prompt\":"
                + "\"Why is the sky blue?\",\"stream\":false,\"options\":{\"num_predict\":4,\"seed\":1}}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = Http.json(response);
        assertThat(body.get("response").isTextual()).isTrue();
        assertThat(body.get("done").asBoolean()).isTrue();
        assertThat(body.get("eval_count").asInt()).isEqualTo(4);
        assertThat(body.get("done_reason").asText()).isEqualTo("length");
    }

    @Test
    void ollamaGenerateWithoutAPromptOnlyLoadsTheModel() throws Exception {
        HttpResponse<String> response = http.post("/api/generate", TestKeys.ALL, "{\"model\":\"tiny\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Http.json(response).get("done_reason").asText()).isEqualTo("load");
    }

    @Test
    void ollamaKeepAliveZeroWithoutAPromptIsAnUnloadAndNeedsAKeyForTheModel() throws Exception {
        HttpResponse<String> response = http.post("/api/generate", TestKeys.ALL,
                "{\"model\":\"tiny\",\"keep_alive\":0}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(Http.json(response).get("done_reason").asText()).isEqualTo("unload");
        assertThat(Http.json(response).get("done").asBoolean()).isTrue();
        HttpResponse<String> chat = http.post("/api/chat", TestKeys.TINY_ONLY,
                "{\"model\":\"solo\",\"keep_alive\":\"0s\"}");
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(403);
    }

    @Test
    void ollamaKeepAliveOfARequestSetsHowLongTheModelStaysLoadedUntilTheNextRequest() throws Exception {
        HttpResponse<String> pinned = http.post("/api/generate", TestKeys.ALL,
                "{\"model\":\"tiny\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2},"
                        + "\"keep_alive\":-1}");
        assertThat(pinned.statusCode()).as(pinned.body()).isEqualTo(200);
        assertThat(expiresAt("tiny")).as("kept for good").isAfter(java.time.Instant.parse("2300-01-01T00:00:00Z"));

        HttpResponse<String> hour = http.post("/api/chat", TestKeys.ALL,
                "{\"model\":\"tiny\",\"keep_alive\":\"1h\"}"); // a load with its own keep-alive
        assertThat(hour.statusCode()).as(hour.body()).isEqualTo(200);
        assertThat(expiresAt("tiny")).isBetween(java.time.Instant.now().plusSeconds(3500),
                java.time.Instant.now().plusSeconds(3700));

        HttpResponse<String> bad = http.post("/api/generate", TestKeys.ALL,
                "{\"model\":\"tiny\",\"prompt\":\"hi\",\"keep_alive\":\"a while\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Http.json(bad).get("error").asText()).contains("keep_alive");

        HttpResponse<String> own = http.post("/api/generate", TestKeys.ALL,
                "{\"model\":\"tiny\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2}}");
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(expiresAt("tiny")).as("the model's own keep-alive again")
                .isBefore(java.time.Instant.now().plusSeconds(3500));
    }

    private static java.time.Instant expiresAt(String model) throws Exception {
        for (JsonNode running : Http.json(http.get("/api/ps", TestKeys.ALL)).get("models")) {
            if (running.get("name").asText().equals(model)) {
                return java.time.Instant.parse(running.get("expires_at").asText());
            }
        }
        throw new AssertionError(model + " is not in memory");
    }

    @Test
    void ollamaListingsShowTheModelsTheKeyMayUse() throws Exception {
        JsonNode tags = Http.json(http.get("/api/tags", TestKeys.ALL));
        assertThat(tags.get("models").findValuesAsText("name")).containsExactly("all-minilm", "solo", "tiny");
        JsonNode tiny = tags.get("models").get(2);
        assertThat(tiny.get("size").asLong()).isEqualTo(1_750_000);
        assertThat(tiny.get("modified_at").asText()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(tiny.get("details").get("family").asText()).isEqualTo("llama");
        assertThat(tiny.get("details").get("parameter_size").asText()).isEqualTo("6M");
        assertThat(tiny.get("details").get("quantization_level").asText()).isEqualTo("F16");

        JsonNode onlyTiny = Http.json(http.get("/api/tags", TestKeys.TINY_ONLY));
        assertThat(onlyTiny.get("models").findValuesAsText("name")).containsExactly("tiny");

        JsonNode show = Http.json(http.post("/api/show", TestKeys.ALL, "{\"model\":\"tiny\"}"));
        assertThat(show.get("capabilities").get(0).asText()).isEqualTo("completion");
        assertThat(show.get("model_info").get("llama.context_length").asInt()).isEqualTo(2048);
        HttpResponse<String> hidden = http.post("/api/show", TestKeys.TINY_ONLY, "{\"model\":\"solo\"}");
        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(Http.json(hidden).get("error").asText()).isEqualTo("model 'solo' not found");

        JsonNode ps = Http.json(http.get("/api/ps", TestKeys.TINY_ONLY));
        assertThat(ps.get("models").findValuesAsText("name")).containsExactly("tiny");
        assertThat(ps.get("models").get(0).get("context_length").asInt()).isEqualTo(512);

        HttpResponse<String> version = http.get("/api/version", TestKeys.ALL);
        assertThat(Http.json(version).get("version").asText()).isEqualTo("0.9.0");
    }

    @Test
    void openAiModelListingsAreFilteredByTheKey() throws Exception {
        JsonNode all = Http.json(http.get("/v1/models", TestKeys.ALL));
        assertThat(all.get("object").asText()).isEqualTo("list");
        assertThat(all.get("data").findValuesAsText("id")).containsExactly("all-minilm", "solo", "tiny");
        assertThat(all.get("data").get(2).get("object").asText()).isEqualTo("model");
        assertThat(all.get("data").get(2).get("owned_by").asText()).isEqualTo("embedded");

        JsonNode one = Http.json(http.get("/v1/models/tiny", TestKeys.TINY_ONLY));
        assertThat(one.get("id").asText()).isEqualTo("tiny");
        HttpResponse<String> hidden = http.get("/v1/models/solo", TestKeys.TINY_ONLY);
        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(Http.json(hidden).get("error").get("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void embeddingsAreServedInBothProtocolsAndEncodings() throws Exception {
        JsonNode floats = Http.json(http.post("/v1/embeddings", TestKeys.ALL,
                "{\"model\":\"all-minilm\",\"input\":[\"first text\",\"second text\"]}"));
        assertThat(floats.get("object").asText()).isEqualTo("list");
        assertThat(floats.get("data")).hasSize(2);
        assertThat(floats.get("data").get(1).get("index").asInt()).isEqualTo(1);
        assertThat(floats.get("data").get(0).get("embedding")).hasSize(384);
        assertThat(floats.get("usage").get("prompt_tokens").asInt()).isPositive();

        JsonNode base64 = Http.json(http.post("/v1/embeddings", TestKeys.ALL,
                "{\"model\":\"all-minilm:l6-v2\",\"input\":\"first text\",\"encoding_format\":\"base64\"}"));
        byte[] raw = java.util.Base64.getDecoder().decode(base64.get("data").get(0).get("embedding").asText());
        assertThat(raw).hasSize(384 * 4);
        float firstValue = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat();
        assertThat(firstValue).isEqualTo(floats.get("data").get(0).get("embedding").get(0).floatValue());

        JsonNode embed = Http.json(http.post("/api/embed", TestKeys.ALL,
                "{\"model\":\"all-minilm\",\"input\":\"first text\"}"));
        assertThat(embed.get("embeddings")).hasSize(1);
        assertThat(embed.get("embeddings").get(0)).hasSize(384);
        JsonNode legacy = Http.json(http.post("/api/embeddings", TestKeys.ALL,
                "{\"model\":\"all-minilm\",\"prompt\":\"first text\"}"));
        assertThat(legacy.get("embedding")).hasSize(384);

        HttpResponse<String> wrongModel = http.post("/v1/embeddings", TestKeys.ALL,
                "{\"model\":\"tiny\",\"input\":\"x\"}");
        assertThat(wrongModel.statusCode()).isEqualTo(404);
        assertThat(Http.json(wrongModel).get("error").get("message").asText()).isEqualTo(
                "the model 'tiny' does not exist or cannot embed; this gateway embeds with 'all-minilm'");
    }

    @Test
    void aMissingOrWrongKeyIsRefusedWith401OnEveryKindOfRoute() throws Exception {
        HttpResponse<String> none = http.post("/v1/chat/completions", null, chat("tiny", 4, ""));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"aixcl\"");
        JsonNode error = Http.json(none).get("error");
        assertThat(error.get("type").asText()).isEqualTo("authentication_error");
        assertThat(error.get("code").asText()).isEqualTo("missing_api_key");

        HttpResponse<String> wrong = http.post("/api/chat", "sk-wrong", "{\"model\":\"tiny\",\"messages\":[]}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(Http.json(wrong).get("error").asText()).isEqualTo("the inference key is not valid");

        for (String path : List.of("/v1/models", "/api/tags", "/api/ps", "/api/version", "/v1/models/tiny")) {
            assertThat(http.get(path, null).statusCode()).as(path).isEqualTo(401);
            assertThat(http.get(path, "sk-wrong").statusCode()).as(path).isEqualTo(401);
        }
        assertThat(keys.reservations).noneMatch(held -> held.keyId == null);
    }

    @Test
    void aModelOutsideTheKeysAllowlistIsRefusedWith403AndNothingRuns() throws Exception {
        int before = keys.reservations.size();
        HttpResponse<String> response = http.post("/v1/chat/completions", TestKeys.TINY_ONLY, chat("solo", 4, ""));

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode error = Http.json(response).get("error");
        assertThat(error.get("type").asText()).isEqualTo("permission_error");
        assertThat(error.get("code").asText()).isEqualTo("model_not_allowed");
        assertThat(error.get("message").asText()).isEqualTo("key 'key-tiny' may not use the model 'solo'");
        assertThat(keys.reservations).hasSize(before);
        AuditEvent event = audit.await(e -> e.outcome() == AuditEvent.Outcome.REFUSED && e.target().equals("solo")
                && e.actor().id().equals("key-tiny"));
        assertThat(event.parameters()).containsEntry("status", "403");
    }

    @Test
    void aRateLimitedKeyGets429WithRetryAfter() throws Exception {
        HttpResponse<String> response = http.post("/v1/chat/completions", TestKeys.LIMITED, chat("tiny", 4, ""));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(Http.json(response).get("error").get("type").asText()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void anUnknownModelIs404AndItsReservationIsGivenBack() throws Exception {
        HttpResponse<String> response = http.post("/v1/chat/completions", TestKeys.ALL, chat("nope", 4, ""));

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode error = Http.json(response).get("error");
        assertThat(error.get("code").asText()).isEqualTo("model_not_found");
        assertThat(error.get("param").asText()).isEqualTo("model");
        TestKeys.Held held = keys.reservations.stream().filter(h -> h.model.equals("nope")).findFirst().orElseThrow();
        assertThat(held.closedUnspent).isTrue();
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        String big = chat("tiny", 4, ",\"user\":\"" + "x".repeat(70 * 1024) + "\"");
        HttpResponse<String> response = http.post("/v1/chat/completions", TestKeys.ALL, big);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(Http.json(response).get("error").get("message").asText())
                .isEqualTo("the request body is larger than this gateway's limit of 65536 bytes");
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeTheBodyIsSentAndAChunkedOneWhenItPassesTheLimit() throws Exception {
        Thread.sleep(200); // an earlier test's refusal may still be on its way to the log
        long refusedBefore = tooLargeEvents();
        // Only the head: an answer that waited for 10 MB of body would never come.
        String declared = http.raw("POST /api/chat HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestKeys.ALL
                + "\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
        assertThat(declared).startsWith("HTTP/1.1 413").contains("Connection: close")
                .endsWith("{\"error\":\"the request body is larger than this gateway's limit of 65536 bytes\"}");

        StringBuilder chunked = new StringBuilder("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + TestKeys.ALL + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        String piece = "x".repeat(1000);
        for (int i = 0; i < 70; i++) {
            chunked.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        String answer = http.raw(chunked.toString());
        assertThat(answer).startsWith("HTTP/1.1 413");
        assertThat(Http.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).at("/error/code").asText())
                .isEqualTo("request_too_large");
        // Each was audited once, as a refusal, and the gateway goes on serving.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (tooLargeEvents() < refusedBefore + 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // and no second event for either
        assertThat(tooLargeEvents()).isEqualTo(refusedBefore + 2);
        assertThat(http.get("/api/version", TestKeys.ALL).statusCode()).isEqualTo(200);
    }

    private static long tooLargeEvents() {
        return audit.events.stream().filter(e -> "413".equals(e.parameters().get("status"))).count();
    }

    @Test
    void invalidRequestsGet400WithTheFieldAndAPreciseMessage() throws Exception {
        record Case(String path, String body, String param, String message) { }
        List<Case> cases = List.of(
                new Case("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[]}", "messages",
                        "'messages' must contain at least one message"),
                new Case("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model",
                        "'model' is required"),
                new Case("/v1/chat/completions", "{\"model\":7,\"messages\":[]}", "model",
                        "invalid type for 'model': expected a string, but got an integer instead"),
                new Case("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"robot\","
                        + "\"content\":\"x\"}]}", "messages[0].role", "invalid value for 'messages[0].role': "
                        + "'robot'; expected one of system, developer, user, assistant"),
                new Case("/v1/chat/completions", "{\"model\":\"tiny\",\"max_tokens\":5000,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens",
                        "'max_tokens' is too large: 5000; this gateway generates at most 2048 tokens per request"),
                new Case("/v1/chat/completions", "{\"model\":\"tiny\",\"temperature\":11,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"x\"}]}", "temperature",
                        "temperature out of range [0, 10]: 11.0"),
                new Case("/v1/chat/completions", "{\"model\":\"tiny\",\"top_p\":0,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"x\"}]}", "top_p", "top_p out of range (0, 1]: 0.0"),
                new Case("/v1/chat/completions", "{\"model\":\"tiny\",\"n\":2,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"x\"}]}", "n",
                        "only n=1 is supported: one choice per request, got n=2"),
                new Case("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"stream\":\"yes\"}", "stream",
                        "invalid type for 'stream': expected a boolean, but got a string instead"),
                new Case("/v1/chat/completions", "{\"model\":\"tiny\",", null,
                        "the request body is not valid JSON at line 1, column 17"),
                new Case("/v1/chat/completions", "[1,2]", null, "the request body must be a JSON object"));
        for (Case c : cases) {
            HttpResponse<String> response = http.post(c.path(), TestKeys.ALL, c.body());
            assertThat(response.statusCode()).as(c.body()).isEqualTo(400);
            JsonNode error = Http.json(response).get("error");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.get("message").asText()).as(c.body()).isEqualTo(c.message());
            assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(c.param());
        }
        HttpResponse<String> ollama = http.post("/api/chat", TestKeys.ALL, "{\"model\":\"tiny\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"x\"}],\"options\":{\"temperature\":-1}}");
        assertThat(ollama.statusCode()).isEqualTo(400);
        assertThat(Http.json(ollama).get("error").asText())
                .isEqualTo("options.temperature out of range [0, 10]: -1.0");
    }

    @Test
    void aForeignHostHeaderIsRefusedWithoutCorsHeadersOrDetails() throws Exception {
        String refused = http.raw("GET /v1/models HTTP/1.1\r\nHost: attacker.example:11434\r\nAuthorization: Bearer "
                + TestKeys.ALL + "\r\nOrigin: http://attacker.example\r\nConnection: close\r\n\r\n");
        assertThat(refused).startsWith("HTTP/1.1 403");
        assertThat(refused).doesNotContainIgnoringCase("Access-Control").doesNotContain("tiny");
        assertThat(refused).endsWith("{\"error\":\"host not allowed\"}");

        for (String host : List.of("localhost:1234", "127.0.0.1", "[::1]:80", "LOCALHOST")) {
            String allowed = http.raw("GET /v1/models HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer "
                    + TestKeys.ALL + "\r\nConnection: close\r\n\r\n");
            assertThat(allowed).as(host).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void corsIsOffByDefaultAndPreflightsAreRefused() throws Exception {
        String simple = http.raw("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\n"
                + "Authorization: Bearer " + TestKeys.ALL + "\r\nConnection: close\r\n\r\n");
        assertThat(simple).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("Access-Control-");
        String preflight = http.raw("OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                + "Origin: http://localhost:3000\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n");
        assertThat(preflight).startsWith("HTTP/1.1 403").doesNotContainIgnoringCase("Access-Control-");
    }

    @Test
    void modelChangingRoutesAreRefusedEvenWithAValidKey() throws Exception {
        for (String route : List.of("pull", "delete", "push", "create", "copy")) {
            HttpResponse<String> response = http.post("/api/" + route, TestKeys.ALL, "{\"model\":\"tiny\"}");
            assertThat(response.statusCode()).as(route).isEqualTo(403);
            assertThat(Http.json(response).get("error").asText()).as(route)
                    .contains("models are managed through the aixcl control plane");
        }
        assertThat(Http.json(http.post("/api/pull", TestKeys.ALL, "{}")).get("error").asText())
                .endsWith("(aixcl models add)");
        assertThat(Http.json(http.post("/api/delete", null, "{}")).get("error").asText())
                .endsWith("(aixcl models remove)");
        assertThat(backends.resident()).extracting(s -> s.id()).contains("tiny");
    }

    @Test
    void everyRequestIsAuditedWithCountsButNeverPromptOrCompletionText() throws Exception {
        HttpResponse<String> response = http.post("/v1/chat/completions", TestKeys.ALL,
                chat("tiny", 6, ",\"stream\":true"));
        assertThat(response.statusCode()).isEqualTo(200);
        AuditEvent event = audit.await(e -> e.action().equals("inference.chat") && e.parameters().get("stream")
                .equals("true") && e.outcome() == AuditEvent.Outcome.SUCCEEDED);
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor(AuditEvent.Actor.Kind.KEY, "key-all"));
        assertThat(event.target()).isEqualTo("tiny");
        assertThat(event.parameters()).containsKeys("promptTokens", "completionTokens", "latencyMs", "status")
                .containsEntry("status", "200");
        assertThat(Integer.parseInt(event.parameters().get("completionTokens"))).isBetween(1, 6);

        http.post("/v1/chat/completions", "sk-wrong", chat("tiny", 4, ""));
        AuditEvent anonymous = audit.await(e -> e.actor().id().equals("anonymous")
                && e.outcome() == AuditEvent.Outcome.REFUSED && e.action().equals("inference.chat"));
        assertThat(anonymous.parameters()).containsEntry("status", "401");

        Thread.sleep(100);
        assertThat(audit.events).allSatisfy(e -> {
            assertThat(e.toString()).doesNotContain(SECRET_PROMPT).doesNotContain("Be terse")
                    .doesNotContain(TestKeys.ALL);
        });
    }

    @Test
    void aBusyModelRefusesWith503AndRetryAfterAndAClientThatLeavesCancelsItsGeneration() throws Exception {
        String longRun = "{\"model\":\"solo\",\"stream\":true,\"max_tokens\":2000,\"temperature\":0,\"seed\":1,"
                + "\"prompt\":\"count with me\"}";
        Socket running = http.openStream("/v1/completions", TestKeys.ALL, longRun, 300);
        long leftAt;
        try (running) {
            HttpResponse<String> busy = http.post("/v1/completions", TestKeys.ALL,
                    "{\"model\":\"solo\",\"prompt\":\"x\",\"max_tokens\":2}");
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            JsonNode error = Http.json(busy).get("error");
            assertThat(error.get("code").asText()).isEqualTo("model_busy");
            assertThat(error.get("type").asText()).isEqualTo("server_error");
            leftAt = System.nanoTime();
        }
        // The client is gone: its generation is cancelled and the one slot frees long before 2000 tokens.
        HttpResponse<String> next = null;
        while (System.nanoTime() - leftAt < 3_000_000_000L) {
            next = http.post("/v1/completions", TestKeys.ALL, "{\"model\":\"solo\",\"prompt\":\"x\",\"max_tokens\":2}");
            if (next.statusCode() == 200) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(next.statusCode()).isEqualTo(200);
        AuditEvent cancelled = audit.await(e -> "cancelled".equals(e.parameters().get("finishReason")));
        assertThat(cancelled.target()).isEqualTo("solo");
        assertThat(Integer.parseInt(cancelled.parameters().get("completionTokens"))).isBetween(1, 1999);
        TestKeys.Held held = keys.reservations.stream().filter(h -> h.model.equals("solo") && h.reserved > 2000)
                .findFirst().orElseThrow();
        assertThat(held.settled).isNotNull();
        assertThat(held.settled.completionTokens()).isLessThan(2000);
    }

    @Test
    void unknownEndpointsAndWrongMethodsAreErrorsInTheRightProtocol() throws Exception {
        HttpResponse<String> openAi = http.get("/v1/nothing", TestKeys.ALL);
        assertThat(openAi.statusCode()).isEqualTo(404);
        assertThat(Http.json(openAi).get("error").get("code").asText()).isEqualTo("unknown_url");
        HttpResponse<String> ollama = http.get("/api/chat", TestKeys.ALL);
        assertThat(ollama.statusCode()).isEqualTo(405);
        assertThat(Http.json(ollama).get("error").asText()).isEqualTo("GET is not allowed on /api/chat; use POST");
    }

    private static org.assertj.core.data.Offset<Long> within(long value) {
        return org.assertj.core.data.Offset.offset(value);
    }
}
