package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The model store through the CLI: a real GGUF model is verified and registered; a broken one never is. */
class ModelsIT {
    private static final Path MODEL = Aixcl.REPO.resolve("../shared/models/llama-2-tiny-random.gguf").normalize();
    private Aixcl aixcl;

    @AfterEach
    void stop() {
        if (aixcl != null) {
            aixcl.run("daemon", "stop");
        }
    }

    @Test
    void aLocalModelIsVerifiedListedShownAndRemovedAndATruncatedOneIsNeverRegistered() throws Exception {
        assertThat(MODEL).as("the shared test model (../shared/models beside the repository)").exists();
        aixcl = new Aixcl(PodmanUser.root(), "models");
        Aixcl.Run add = aixcl.run("models", "add", MODEL.toString(), "--name", "tiny:1");
        assertThat(add.exit()).as(add.toString()).isZero();
        assertThat(add.out()).contains("added tiny:1");

        JsonNode list = Json.MAPPER.readTree(aixcl.run("models", "list", "--json").out());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("digest").asText())
                .isEqualTo("sha256:81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb");
        JsonNode show = Json.MAPPER.readTree(aixcl.run("models", "show", "tiny:1", "--json").out());
        assertThat(show.get("architecture").asText()).isEqualTo("llama");
        assertThat(show.get("contextLength").asLong()).isEqualTo(4096);

        Path truncated = aixcl.write("truncated.gguf", "");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(MODEL), 100_000));
        Aixcl.Run bad = aixcl.run("models", "add", truncated.toString(), "--name", "broken:1");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).contains("not a valid GGUF file").contains("truncated");
        assertThat(aixcl.run("models", "list", "--json").out()).doesNotContain("broken");

        assertThat(aixcl.run("models", "remove", "tiny:1").exit()).isZero();
        assertThat(Json.MAPPER.readTree(aixcl.run("models", "list", "--json").out())).isEmpty();
        Aixcl.Run audit = aixcl.run("audit", "tail", "--json");
        assertThat(audit.out()).contains("\"action\" : \"models.pull\"").contains("\"action\" : \"models.remove\"");
    }
}
