package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * With real Podman but a runtime image that is neither present nor pullable, {@code inference.engine: auto} runs the
 * runtime core embedded while the other services start in containers as usual.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedBesideContainersIT {
    private final PodmanUser user = PodmanUser.root();
    private final String stack = "itemb" + UUID.randomUUID().toString().substring(0, 6);
    private Aixcl aixcl;
    private Path stackFile;

    @BeforeAll
    void setUp() throws Exception {
        TestImages.busybox(user);
        aixcl = new Aixcl(user, "embedded-beside");
        int port = TestImages.freeLoopbackPorts(1).getFirst();
        Map<String, String> s = TestStacks.ordered();
        // Nothing serves localhost:1, so this image can be neither found nor pulled.
        s.put("inference", "  inference:\n    image: localhost:1/aixcl-it/absent-runtime:1\n    ports: [11435]\n");
        s.put("db", TestStacks.httpService("db", port, List.of(), ""));
        stackFile = aixcl.write("stack.yaml", TestStacks.stack(stack, s, Map.of("t", List.of("inference", "db")), "t"));
    }

    @AfterAll
    void tearDown() {
        if (aixcl != null) {
            aixcl.cleanUp(stack);
        }
    }

    @Test
    void autoRunsTheRuntimeCoreEmbeddedWhenItsImageCannotBePulledAndTheRestInContainers() throws Exception {
        Aixcl.Run start = aixcl.run("stack", "start", "-f", stackFile.toString());
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.out()).as(start.toString())
                .contains("inference: embedded llama.cpp engine (runtime image "
                        + "localhost:1/aixcl-it/absent-runtime:1 unavailable: ")
                .contains("healthy    db")
                .doesNotContain("needs a container engine");

        JsonNode status = Json.MAPPER.readTree(aixcl.run("stack", "status", "--json", "-f", stackFile.toString())
                .out());
        assertThat(status.get("services").get(0).get("state").asText()).isEqualTo("embedded");
        assertThat(status.get("services").get(0).get("health").asText()).isEqualTo("healthy");
        assertThat(status.get("services").get(1).get("service").asText()).isEqualTo("db");
        assertThat(status.get("services").get(1).get("state").asText()).isEqualTo("running");
        assertThat(status.get("healthy").asBoolean()).isTrue();
        assertThat(user.podman("ps", "-a", "--format", "{{.Names}}").output()).contains(stack + "-db")
                .doesNotContain(stack + "-inference");

        Aixcl.Run stop = aixcl.run("stack", "stop", "-f", stackFile.toString());
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(stop.out()).contains("stopped 2 service(s)");
    }
}
