package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The official {@code openai} and {@code ollama} npm clients, unchanged, against the gateway serving the real tiny
 * model on the embedded llama.cpp engine: list models, chat, stream, completion, embeddings, and refusals (a bad
 * key; a pull, which is the control plane's business).
 */
class GatewayClientsIT {
    private static final Path CLIENTS = Aixcl.REPO.resolve("it/src/test/node");
    private Aixcl aixcl;

    @AfterEach
    void stop() {
        if (aixcl != null) {
            aixcl.run("daemon", "stop");
        }
    }

    @Test
    void theOfficialClientsWorkUnchanged() throws Exception {
        assertThat(CLIENTS.resolve("node_modules/openai")).as("the npm clients; install them with: npm ci --prefix "
                + CLIENTS).exists();
        assertThat(CLIENTS.resolve("node_modules/ollama")).as("npm ci --prefix " + CLIENTS).exists();
        aixcl = new Aixcl(PodmanUser.root(), "gateway-clients");
        int port = GatewayDaemon.embedded(aixcl, "", "tiny:1");
        String key = GatewayDaemon.createKey(aixcl, "--name", "clients");

        JsonNode seen = runClients(port, key);
        System.out.println("what the clients saw: " + seen.toPrettyString()); // in the surefire report on failure

        assertThat(seen.at("/openaiModels/ids")).extracting(JsonNode::asText).contains("tiny:1", "all-minilm");
        assertThat(seen.at("/openaiChat/object").asText()).isEqualTo("chat.completion");
        assertThat(seen.at("/openaiChat/role").asText()).isEqualTo("assistant");
        assertThat(seen.at("/openaiChat/usage/completion_tokens").asInt()).isBetween(1, 8);
        assertThat(seen.at("/openaiChat/usage/prompt_tokens").asInt()).isPositive();
        assertThat(seen.at("/openaiStream/chunks").asInt()).isGreaterThan(1);
        assertThat(seen.at("/openaiStream/finish").asText()).isIn("stop", "length");
        assertThat(seen.at("/openaiStream/usage/completion_tokens").asInt()).isBetween(1, 8);
        assertThat(seen.at("/openaiCompletion/object").asText()).isEqualTo("text_completion");
        assertThat(seen.at("/openaiCompletion/usage/completion_tokens").asInt()).isBetween(1, 8);
        assertThat(seen.at("/openaiEmbeddings/count").asInt()).isEqualTo(2);
        assertThat(seen.at("/openaiEmbeddings/dimensions").asInt()).isEqualTo(384);
        assertThat(seen.at("/openaiBadKey/status").asInt()).isEqualTo(401);

        assertThat(seen.at("/ollamaVersion/version").asText()).isNotBlank();
        assertThat(seen.at("/ollamaTags/names")).extracting(JsonNode::asText).contains("tiny:1");
        assertThat(seen.at("/ollamaShow/family").asText()).isEqualTo("llama");
        assertThat(seen.at("/ollamaChat/role").asText()).isEqualTo("assistant");
        assertThat(seen.at("/ollamaChat/done").asBoolean()).isTrue();
        assertThat(seen.at("/ollamaChat/evalCount").asInt()).isBetween(1, 8);
        assertThat(seen.at("/ollamaStream/parts").asInt()).isGreaterThan(1);
        assertThat(seen.at("/ollamaStream/done").asBoolean()).isTrue();
        assertThat(seen.at("/ollamaEmbed/dimensions").asInt()).isEqualTo(384);
        assertThat(seen.at("/ollamaPs/names")).extracting(JsonNode::asText).contains("tiny:1");
        assertThat(seen.at("/ollamaPullRefused/status").asInt()).isEqualTo(403);
        assertThat(seen.at("/ollamaPullRefused/error").asText()).contains("aixcl models add");
        assertThat(seen.at("/ollamaBadKey/status").asInt()).isEqualTo(401);

        // Every request is in the audit log as metadata: the key's id, never the prompts or the answers.
        Aixcl.Run audit = aixcl.run("audit", "tail", "--json", "-n", "200");
        assertThat(audit.out()).contains("inference.chat").contains("\"actor\" : \"key:")
                .doesNotContain("Say hi").doesNotContain("Once upon a time").doesNotContain(key);
        String chatText = seen.at("/openaiChat/content").asText();
        if (chatText.strip().length() >= 8) {
            assertThat(audit.out()).doesNotContain(chatText.strip());
        }
    }

    private JsonNode runClients(int port, String key) throws Exception {
        Path out = Files.createTempFile("aixcl-clients", ".json");
        Path err = Files.createTempFile("aixcl-clients", ".err");
        ProcessBuilder pb = new ProcessBuilder(List.of("node", CLIENTS.resolve("clients.mjs").toString()))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("AIXCL_GATEWAY", "http://127.0.0.1:" + port);
        pb.environment().put("AIXCL_KEY", key);
        pb.environment().put("AIXCL_MODEL", "tiny:1");
        Process p = pb.start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("the client script finishes").isTrue();
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(stderr).isZero();
        return Json.MAPPER.readTree(Files.readString(out, StandardCharsets.UTF_8));
    }
}
