package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inference keys through the real CLI and daemon: the key is printed once and then exists nowhere else (no listing,
 * no audit entry, no log, no file under AIXCL_HOME: the database holds its hash), and its changes are on record.
 */
class KeysIT {
    private Aixcl aixcl;

    @AfterEach
    void stop() {
        if (aixcl != null) {
            aixcl.run("daemon", "stop");
        }
    }

    private static Aixcl.Run ok(Aixcl.Run r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    @Test
    void aKeyIsShownOnceListedWithoutItsValueRevokedAndAudited() throws Exception {
        aixcl = new Aixcl(PodmanUser.root(), "keys");

        Aixcl.Run created = ok(aixcl.run("keys", "create", "--name", "app", "--models", "qwen2.5:0.5b,llama3",
                "--rpm", "60", "--tpm", "20000", "--budget-tokens", "5000", "--expires", "30d"));
        String key = created.out().strip();
        assertThat(key).matches("aixk_[0-9A-Za-z]{43}");
        assertThat(created.err()).contains("created key 'app'").contains("cannot be shown again")
                .doesNotContain(key);

        Aixcl.Run table = ok(aixcl.run("keys", "list"));
        assertThat(table.out()).contains("app").contains("llama3,qwen2.5:0.5b").contains("active")
                .doesNotContain(key);
        Aixcl.Run listed = ok(aixcl.run("keys", "list", "--json"));
        assertThat(listed.out()).doesNotContain(key);
        JsonNode info = Json.MAPPER.readTree(listed.out()).get(0);
        assertThat(info.get("name").asText()).isEqualTo("app");
        assertThat(info.get("id").asText()).startsWith("key_");
        assertThat(info.get("state").asText()).isEqualTo("active");
        assertThat(info.get("models").toString()).isEqualTo("[\"llama3\",\"qwen2.5:0.5b\"]");
        assertThat(info.get("rpm").asInt()).isEqualTo(60);
        assertThat(info.get("tpm").asInt()).isEqualTo(20_000);
        assertThat(info.get("budget").asLong()).isEqualTo(5_000);
        assertThat(info.get("expires").asText()).isNotBlank();
        String id = info.get("id").asText();

        JsonNode usage = Json.MAPPER.readTree(ok(aixcl.run("keys", "usage", "app", "--json")).out()).get(0);
        assertThat(usage.get("id").asText()).isEqualTo(id);
        assertThat(usage.get("requests").asLong()).isZero();
        assertThat(usage.get("promptTokens").asLong()).isZero();
        assertThat(usage.get("budgetLeft").asLong()).isEqualTo(5_000);
        assertThat(ok(aixcl.run("keys", "usage")).out()).contains("BUDGET LEFT").contains("5000");

        Aixcl.Run twice = aixcl.run("keys", "create", "--name", "app");
        assertThat(twice.exit()).as(twice.toString()).isEqualTo(7);
        assertThat(twice.err()).contains("a key named 'app' is in force");
        Aixcl.Run badModel = aixcl.run("keys", "create", "--name", "bad", "--models", "a b");
        assertThat(badModel.exit()).as(badModel.toString()).isEqualTo(2);
        Aixcl.Run badLimit = aixcl.run("keys", "create", "--name", "bad", "--rpm", "0");
        assertThat(badLimit.exit()).as(badLimit.toString()).isEqualTo(2);
        assertThat(badLimit.err()).contains("rpm must be a positive number");

        assertThat(ok(aixcl.run("keys", "revoke", "app")).out()).contains("revoked key 'app' (" + id + ")");
        assertThat(Json.MAPPER.readTree(ok(aixcl.run("keys", "list", "--json")).out()).get(0).get("state").asText())
                .isEqualTo("revoked");
        Aixcl.Run unknown = aixcl.run("keys", "revoke", "nope");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(6);
        assertThat(unknown.err()).contains("no key with id or name 'nope'");
        // The key pasted where a name belongs: refused, and scrubbed from the answer and the audit entry by shape.
        Aixcl.Run pasted = aixcl.run("keys", "revoke", key);
        assertThat(pasted.exit()).as(pasted.toString()).isEqualTo(6);
        assertThat(pasted.err()).contains("no key with id or name '[REDACTED]'").doesNotContain(key);

        Aixcl.Run tail = ok(aixcl.run("audit", "tail", "-n", "50", "--json"));
        List<String> actions = new ArrayList<>();
        for (JsonNode e : Json.MAPPER.readTree(tail.out())) {
            actions.add(e.get("action").asText() + " " + e.get("outcome").asText());
        }
        // POST /v1/keys is recorded as "keys", as POST /v1/tokens is "tokens" (Router.action).
        assertThat(actions).containsSubsequence("keys succeeded", "keys failed", "keys failed", "keys failed",
                "keys.revoke succeeded", "keys.revoke failed", "keys.revoke failed");
        assertThat(tail.out()).contains("\"name\" : \"app\"").contains("qwen2.5:0.5b").doesNotContain(key)
                .doesNotContain(key.substring(5));

        ok(aixcl.run("daemon", "stop"));
        try (Stream<Path> files = Files.walk(aixcl.home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(text).as(f.toString()).doesNotContain(key.substring(5));
            }
        }
    }
}
