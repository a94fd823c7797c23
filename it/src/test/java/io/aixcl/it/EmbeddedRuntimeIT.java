package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A machine without a container engine, as a user meets it through {@code ./aixcl}: the settings name an engine
 * socket that does not exist, and the daemon's PATH has no podman (so it cannot start Podman's API service either).
 * The runtime core then runs on the embedded llama.cpp engine, and the services that need containers say so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedRuntimeIT {
    private static final Path MODEL = Aixcl.REPO.resolve("../shared/models/llama-2-tiny-random.gguf").normalize();

    private Aixcl aixcl;
    private Path missingSocket;
    private Map<String, String> noPodman;

    @BeforeAll
    void machineWithoutAContainerEngine() throws IOException {
        aixcl = new Aixcl(PodmanUser.root(), "embedded");
        missingSocket = aixcl.home.resolve("no-engine/engine.sock");
        Path config = Files.createDirectories(aixcl.home.resolve("config"));
        Files.writeString(config.resolve("settings.yaml"), "engine:\n  socket: " + missingSocket + "\n");
        noPodman = Map.of("PATH", pathWithout("podman", "docker"), "CONTAINER_HOST", "", "DOCKER_HOST", "");
    }

    @AfterAll
    void stopDaemon() {
        if (aixcl != null) {
            aixcl.run(noPodman, "daemon", "stop");
        }
    }

    /** A folder of links to every program on PATH except {@code excluded}, as PATH. */
    private String pathWithout(String... excluded) throws IOException {
        Path bin = Files.createDirectories(aixcl.home.resolve("bin"));
        for (String dir : List.of("/usr/local/bin", "/usr/bin", "/bin")) {
            try (Stream<Path> programs = Files.list(Path.of(dir))) {
                for (Path p : programs.toList()) {
                    Path link = bin.resolve(p.getFileName().toString());
                    if (!List.of(excluded).contains(p.getFileName().toString()) && !Files.exists(link,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, p);
                    }
                }
            }
        }
        return bin.toString();
    }

    private Aixcl.Run run(String... args) {
        return aixcl.run(noPodman, args);
    }

    private JsonNode statusJson() throws IOException {
        Aixcl.Run r = run("stack", "status", "--json");
        assertThat(r.exit()).as(r.toString()).isIn(0, 1, 3, 4, 5, 6, 7, 8);
        return Json.MAPPER.readTree(r.out());
    }

    private List<ProcessHandle> embeddedWorkers() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .filter(c -> c.contains("WorkerMain") && c.contains(aixcl.home.toString())).isPresent()).toList();
    }

    @Test
    @Order(1)
    void stackStartRunsTheRuntimeCoreEmbeddedAndSaysWhatNeedsAContainerEngine() throws IOException {
        assertThat(MODEL).as("the shared test model (../shared/models beside the repository)").exists();
        Aixcl.Run add = run("models", "add", MODEL.toString());
        assertThat(add.exit()).as(add.toString()).isZero();

        Aixcl.Run start = run("stack", "start");
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.out()).as(start.toString())
                .contains("inference: embedded llama.cpp engine (no container engine: the configured engine socket "
                        + "does not answer: " + missingSocket + " does not exist)")
                .contains("postgres needs a container engine: apt-get install -y podman")
                .contains("stack is up: profile 'usr'")
                .contains("not started, for want of a container engine: postgres");
        assertThat(embeddedWorkers()).as("the embedded engine's worker process").hasSize(1);
        assertThat(aixcl.podmanServices()).as("no Podman API service may be started").isEmpty();
    }

    @Test
    @Order(2)
    void statusShowsTheEmbeddedEngineReadyAndTheOtherServicesWaitingForAnEngine() throws IOException {
        JsonNode status = statusJson();
        JsonNode inference = status.get("services").get(0);
        assertThat(inference.get("service").asText()).isEqualTo("inference");
        assertThat(inference.get("state").asText()).isEqualTo("embedded");
        assertThat(inference.get("health").asText()).isEqualTo("healthy");
        assertThat(inference.get("healthDetail").asText()).isEqualTo("ready; no models in memory");
        JsonNode postgres = status.get("services").get(1);
        assertThat(postgres.get("service").asText()).isEqualTo("postgres");
        assertThat(postgres.get("state").asText()).isEqualTo("needs a container engine");
        assertThat(status.get("summary").asText()).contains("postgres needs a container engine");

        Aixcl.Run text = run("stack", "status");
        assertThat(text.out()).as(text.toString()).contains("embedded").contains("needs a container engine");
    }

    @Test
    @Order(3)
    void engineInfoSaysThereIsNoContainerEngineAndWhichInferenceEngineRuns() {
        Aixcl.Run info = run("engine", "info");
        assertThat(info.exit()).as(info.toString()).isZero();
        assertThat(info.out()).as(info.toString())
                .contains("engine:      none (the configured engine socket does not answer: " + missingSocket
                        + " does not exist)")
                .contains("inference:   embedded llama.cpp engine (no container engine: ")
                .contains(": ready");
    }

    @Test
    @Order(4)
    void stackStopStopsTheEmbeddedEngine() throws Exception {
        Aixcl.Run stop = run("stack", "stop");
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(stop.out()).contains("stopped 1 service(s)");
        JsonNode inference = statusJson().get("services").get(0);
        assertThat(inference.get("state").asText()).isEqualTo("embedded");
        assertThat(inference.get("healthDetail").asText()).startsWith("stopped");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!embeddedWorkers().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(embeddedWorkers()).as("the worker process is gone").isEmpty();
    }
}
