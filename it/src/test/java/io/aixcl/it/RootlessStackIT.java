package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The same CLI driven by an unprivileged user: its daemon runs as that user and finds (starts) that user's
 * rootless Podman API service by itself. One stack through the whole class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RootlessStackIT {
    private final String stack = "rl" + UUID.randomUUID().toString().substring(0, 6);
    private PodmanUser user;
    private Aixcl aixcl;
    private Path stackFile;

    @BeforeAll
    void setUp() throws Exception {
        user = PodmanUser.rootless();
        TestImages.busybox(user);
        aixcl = new Aixcl(user, "rootless");
        List<Integer> ports = TestImages.freeLoopbackPorts(3);
        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", ports.get(0), List.of(), ""));
        s.put("db", TestStacks.httpService("db", ports.get(1), List.of(), "volumes: [\"dbdata:/data\"]"));
        s.put("app", TestStacks.httpService("app", ports.get(2), List.of("db"), ""));
        stackFile = aixcl.write("stack.yaml", TestStacks.stack(stack, s,
                Map.of("t", List.of("inference", "db", "app")), "t"));
    }

    @AfterAll
    void tearDown() {
        if (aixcl != null) {
            aixcl.cleanUp(stack);
        }
    }

    private static JsonNode json(Aixcl.Run r) throws Exception {
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    @Order(1)
    void theDaemonFindsTheUsersRootlessPodmanByItself() throws Exception {
        Aixcl.Run r = aixcl.run("engine", "info", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode info = json(r);
        assertThat(info.get("engine").asText()).isEqualTo("Podman");
        assertThat(info.get("rootless").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.err()).as("the launcher works for a user who cannot write the build folder")
                .doesNotContain("Permission denied", "Read-only", "error");
    }

    @Test
    @Order(2)
    void theLauncherRunsWhenTheAotCacheIsStaleAndTheUserCannotRebuildIt() {
        // Other JVM options change the cache's key: the launcher wants a new training run, cannot write the
        // root-owned build folder, and must run without the cache, quietly.
        Aixcl.Run r = aixcl.run(Map.of("AIXCL_JAVA_OPTS", "-Xss1m"), "daemon", "status");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("running");
        assertThat(r.err()).as(r.toString()).isEmpty();
    }

    @Test
    @Order(3)
    void aStackOfTwoLevelsStartsAndIsHealthy() throws Exception {
        Aixcl.Run start = aixcl.run("stack", "start", "-f", stackFile.toString());
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.out().indexOf("healthy    db")).isLessThan(start.out().indexOf("starting   app"));
        Aixcl.Run status = aixcl.run("stack", "status", "--json", "-f", stackFile.toString());
        assertThat(status.exit()).as(status.toString()).isZero();
        JsonNode services = json(status).get("services");
        assertThat(services.findValuesAsText("service")).containsExactlyInAnyOrder("inference", "db", "app");
        assertThat(services.findValuesAsText("state")).containsOnly("running");
        assertThat(services.findValuesAsText("health")).containsOnly("healthy");
    }

    @Test
    @Order(4)
    void theContainersAreTheUsersOwnWithCapabilitiesDroppedLabelsAndHostNetwork() throws Exception {
        TestImages.Result inspect = user.podman("inspect", stack + "-db");
        assertThat(inspect.ok()).as(inspect.output()).isTrue();
        JsonNode db = Json.MAPPER.readTree(inspect.output()).get(0);
        JsonNode host = db.get("HostConfig");
        assertThat(host.get("CapDrop").toString()).contains("CAP_NET_RAW", "CAP_CHOWN", "CAP_SETUID", "CAP_NET_BIND_SERVICE");
        assertThat(db.get("EffectiveCaps") == null || db.get("EffectiveCaps").isNull()
                || db.get("EffectiveCaps").isEmpty()).as(String.valueOf(db.get("EffectiveCaps"))).isTrue();
        assertThat(host.get("Privileged").asBoolean()).isFalse();
        assertThat(host.get("NetworkMode").asText()).isEqualTo("host");
        JsonNode labels = db.get("Config").get("Labels");
        assertThat(labels.get("io.aixcl.stack").asText()).isEqualTo(stack);
        assertThat(labels.get("io.aixcl.service").asText()).isEqualTo("db");
        assertThat(labels.has("io.aixcl.spec-hash")).isTrue();
        assertThat(PodmanUser.root().podman("container", "exists", stack + "-db").exitCode())
                .as("rootless containers live in the user's storage, not root's").isNotZero();
    }

    @Test
    @Order(5)
    void theDaemonSocketIsPrivateToTheUser() throws Exception {
        Path runtime = aixcl.home.resolve("run");
        Path socket = runtime.resolve("aixcld.sock");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        for (Path p : List.of(runtime, socket)) {
            assertThat(Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName()).as(p.toString())
                    .isEqualTo(PodmanUser.ROOTLESS_USER);
        }
        Aixcl.Run daemon = aixcl.run("daemon", "status", "--json");
        assertThat(daemon.exit()).as(daemon.toString()).isZero();
        assertThat(json(daemon).get("user").asText()).isEqualTo(PodmanUser.ROOTLESS_USER);
    }

    @Test
    @Order(6)
    void stopStopsEveryContainerAndKeepsTheVolume() {
        Aixcl.Run r = aixcl.run("stack", "stop", "-f", stackFile.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(user.podman("ps", "--filter", "label=io.aixcl.stack=" + stack, "-q").output()).isBlank();
        assertThat(user.podman("ps", "-a", "--filter", "label=io.aixcl.stack=" + stack, "-q").output()).isNotBlank();
        assertThat(user.podman("volume", "ls", "--filter", "label=io.aixcl.stack=" + stack, "-q").output())
                .isNotBlank();
    }

    @Test
    @Order(7)
    void downWithVolumesRemovesContainersAndData() {
        Aixcl.Run r = aixcl.run("stack", "down", "--volumes", "--yes", "-f", stackFile.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(user.podman("ps", "-a", "--filter", "label=io.aixcl.stack=" + stack, "-q").output()).isBlank();
        assertThat(user.podman("volume", "ls", "--filter", "label=io.aixcl.stack=" + stack, "-q").output())
                .isBlank();
    }

    @Test
    @Order(8)
    void daemonStopAlsoStopsThePodmanServiceItStarted() throws Exception {
        assertThat(aixcl.podmanServices()).as("the daemon's own Podman API service").isNotEmpty();
        Aixcl.Run r = aixcl.run("daemon", "stop");
        assertThat(r.exit()).as(r.toString()).isZero();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!aixcl.podmanServices().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(aixcl.podmanServices()).isEmpty();
        assertThat(aixcl.home.resolve("run/aixcld.sock")).doesNotExist();
    }
}
