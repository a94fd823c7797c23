package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The model store through the CLI and a real daemon: a real GGUF model is verified and registered, a broken one never
 * is; a pull over HTTP survives a dropped connection and the daemon's death, and a wrong digest registers nothing.
 */
class ModelsIT {
    private static final Path MODEL = Aixcl.REPO.resolve("../shared/models/llama-2-tiny-random.gguf").normalize();
    private static final String HEX = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb";
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

    @Test
    void aPullOverHttpResumesAfterADroppedConnectionAndAfterTheDaemonIsKilled() throws Exception {
        assertThat(MODEL).as("the shared test model (../shared/models beside the repository)").exists();
        aixcl = new Aixcl(PodmanUser.root(), "models-net");
        try (var server = new BlobServer(Files.readAllBytes(MODEL))) {
            String url = server.url("/tiny.gguf");
            Aixcl.Run wrong = aixcl.run("models", "add", url, "--sha256", "0".repeat(64), "--name", "net:1");
            assertThat(wrong.exit()).as(wrong.toString()).isNotZero();
            assertThat(wrong.err()).contains("digest mismatch").contains("got sha256:" + HEX);
            assertThat(aixcl.run("models", "list", "--json").out()).doesNotContain("net:1");

            // ~150 kB/s: the 1.75 MB file takes ~12 s, long enough to kill the daemon part-way through.
            server.throttle(150_000);
            server.dropNextAfter(200_000);
            int before = server.ranges.size();
            long sentBefore = server.sent.get();
            Path output = aixcl.home.resolve("pull.out");
            Process pull = aixcl.start(output, "models", "add", url, "--sha256", HEX, "--name", "net:1");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!(server.ranges.stream().anyMatch(r -> r.startsWith("bytes=200000-")) && server.sent.get() - sentBefore > 800_000)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(server.ranges.subList(before, server.ranges.size()))
                    .as("after the drop, the next request asks for the rest from where the bytes ended")
                    .anySatisfy(r -> assertThat(r).startsWith("bytes=200000-"));
            long pid = Json.MAPPER.readTree(aixcl.run("daemon", "status", "--json").out()).get("pid").asLong();
            ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
            // A daemon killed so leaves its children running (its Podman API service): reap what the crash left.
            List<ProcessHandle> children = daemon.descendants().toList();
            assertThat(daemon.destroyForcibly()).isTrue();
            daemon.onExit().get(30, TimeUnit.SECONDS);
            children.forEach(ProcessHandle::destroyForcibly);
            assertThat(pull.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(pull.exitValue()).as(Files.readString(output)).isNotZero();

            server.throttle(0);
            int resumedAt = server.ranges.size();
            Aixcl.Run again = aixcl.run("models", "add", url, "--sha256", HEX, "--name", "net:1");
            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(again.out()).contains("added net:1");
            String resume = server.ranges.subList(resumedAt, server.ranges.size()).stream()
                    .filter(r -> r.startsWith("bytes=")).findFirst().orElseThrow();
            assertThat(Long.parseLong(resume.substring(6, resume.indexOf('-'))))
                    .as("the new daemon resumes from the killed one's progress record, past the drop")
                    .isGreaterThan(200_000L);
        }
        JsonNode list = Json.MAPPER.readTree(aixcl.run("models", "list", "--json").out());
        assertThat(list).singleElement().satisfies(m -> assertThat(m.get("digest").asText()).isEqualTo("sha256:" + HEX));
    }
}
