package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What happens around a stack's lifecycle, through {@code ./aixcl} on rootful Podman: export, the built-in catalog,
 * signals to the daemon and to the CLI, hung services, images that cannot be had.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LifecycleExtrasIT {
    private final PodmanUser user = PodmanUser.root();
    private final String stack = "ix" + UUID.randomUUID().toString().substring(0, 6);
    private Aixcl aixcl;
    private Path stackFile;

    @BeforeAll
    void setUp() throws Exception {
        TestImages.requireTool("kill", "apt-get install -y procps");
        TestImages.busybox(user);
        aixcl = new Aixcl(user, "extras");
        List<Integer> ports = TestImages.freeLoopbackPorts(5);
        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", ports.get(0), List.of(), ""));
        s.put("db", TestStacks.httpService("db", ports.get(1), List.of(), "volumes: [\"dbdata:/data\"]"));
        s.put("app", TestStacks.httpService("app", ports.get(2), List.of("db"), ""));
        // Never healthy while the start waits for it: a long start period, many retries.
        s.put("hang", hungService("hang", ports.get(3), "interval: 1s, timeout: 1s, retries: 100, start_period: 120s"));
        // Given up on quickly by start, then left running with a health endpoint that never answers.
        s.put("stuck", hungService("stuck", ports.get(4), "interval: 1s, timeout: 1s, retries: 1, start_period: 1s"));
        stackFile = aixcl.write("stack.yaml", TestStacks.stack(stack, s, Map.of(
                "t", List.of("inference", "db", "app"),
                "hang", List.of("inference", "hang"),
                "stuck", List.of("inference", "stuck"),
                "hung", List.of("inference", "hang", "stuck")), "t"));
    }

    /**
     * A service whose health endpoint accepts the connection and reads the request but never answers: busybox httpd
     * runs a CGI script that sleeps.
     */
    private static String hungService(String name, int port, String health) {
        String script = "mkdir -p /tmp/w/cgi-bin && printf '#!/bin/sh\\\\nexec sleep 3600\\\\n' > /tmp/w/cgi-bin/health"
                + " && busybox chmod 755 /tmp/w/cgi-bin/health && exec httpd -f -p 127.0.0.1:" + port + " -h /tmp/w";
        return "  " + name + ":\n    image: " + TestImages.BUSYBOX + "\n    command: [sh, -c, \"" + script + "\"]\n"
                + "    init: true\n    ports: [" + port + "]\n"
                + "    health: {http: \"http://127.0.0.1:" + port + "/cgi-bin/health\", " + health + "}\n";
    }

    @AfterAll
    void tearDown() {
        if (aixcl != null) {
            aixcl.cleanUp(stack);
            user.podman("rm", "-f", "-a", "--filter", "label=io.aixcl.stack=" + stack + "n");
        }
    }

    private static JsonNode json(Aixcl.Run r) throws Exception {
        return Json.MAPPER.readTree(r.out());
    }

    private long daemonPid() throws Exception {
        Aixcl.Run r = aixcl.run("daemon", "status", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        return json(r).get("pid").asLong();
    }

    private boolean running(String service) {
        return user.podman("inspect", "--format", "{{.State.Running}}", stack + "-" + service).output().strip()
                .equals("true");
    }

    @Test
    @Order(1)
    void profilesListTheBuiltInCatalogWithoutAStackFile() throws Exception {
        Aixcl.Run r = aixcl.run("profiles", "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode profiles = json(r);
        assertThat(profiles.findValuesAsText("name")).containsExactly("usr", "dev", "ops", "sys");
        for (JsonNode p : profiles) {
            assertThat(p.get("services").toString()).as(p.toString()).contains("\"inference\"");
        }
        assertThat(profiles.get(0).get("isDefault").asBoolean()).as(profiles.get(0).toString()).isTrue();
    }

    @Test
    @Order(2)
    void planWithTheBuiltInCatalogShowsTheUsrProfileAndWhatMustBePulled() {
        Aixcl.Run r = aixcl.run("stack", "plan");
        assertThat(r.exit()).as(r.toString()).isIn(0, 7); // 7 if this host happens to hold 5432 or 11435
        assertThat(r.out()).contains("profile 'usr'").contains("2 services");
        List<String> rows = r.out().lines().filter(l -> l.contains(" create ")).toList();
        assertThat(rows).as(r.out()).hasSize(2);
        assertThat(rows).anySatisfy(l -> assertThat(l).contains("inference").endsWith("(pull)"));
        assertThat(rows).anySatisfy(l -> assertThat(l).contains("postgres").endsWith("(pull)"));
        assertThat(user.podman("ps", "-a", "--filter", "label=io.aixcl.stack=aixcl", "--filter",
                "label=io.aixcl.service=postgres", "-q").output()).as("plan creates nothing").isBlank();
    }

    @Test
    @Order(3)
    void exportWritesValidComposeYamlWithHostNetworkAndNoCapabilities() {
        Aixcl.Run r = aixcl.run("stack", "export", "--format", "compose", "-f", stackFile.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Object doc = new Load(LoadSettings.builder().build()).loadFromString(r.out());
        assertThat(doc).isInstanceOf(Map.class);
        Map<?, ?> services = (Map<?, ?>) ((Map<?, ?>) doc).get("services");
        assertThat(services.keySet().stream().map(String::valueOf).toList()).as(r.out())
                .containsExactlyInAnyOrder("inference", "db", "app");
        services.forEach((name, v) -> {
            Map<?, ?> service = (Map<?, ?>) v;
            assertThat(service.get("network_mode")).as(name + "").isEqualTo("host");
            assertThat(service.get("cap_drop")).as(name + "").isEqualTo(List.of("ALL"));
            assertThat(service.get("image")).as(name + "").isEqualTo(TestImages.BUSYBOX);
        });
        assertThat(r.out()).contains(stack);
    }

    @Test
    @Order(4)
    void sigtermStopsTheDaemonCleanlyAndLeavesContainersRunning() throws Exception {
        Aixcl.Run start = aixcl.run("stack", "start", "-f", stackFile.toString());
        assertThat(start.exit()).as(start.toString()).isZero();
        long pid = daemonPid();
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
        assertThat(daemon.destroy()).as("SIGTERM sent").isTrue();
        daemon.onExit().get(5, TimeUnit.SECONDS);
        assertThat(aixcl.home.resolve("run/aixcld.sock")).as("socket removed on SIGTERM").doesNotExist();
        assertThat(aixcl.podmanServices()).as("a Podman API service the daemon started stops with it").isEmpty();
        assertThat(running("app")).isTrue();
        assertThat(running("db")).isTrue();
        assertThat(aixcl.run("daemon", "status").exit()).isEqualTo(8);
        Aixcl.Run status = aixcl.run("stack", "status", "--json", "-f", stackFile.toString());
        assertThat(status.exit()).as("the next command starts a new daemon: " + status).isZero();
        assertThat(daemonPid()).isNotEqualTo(pid);
    }

    @Test
    @Order(5)
    void ctrlCDuringAStartEndsTheCliQuicklyAndTheDaemonStaysUsable() throws Exception {
        long pid = daemonPid();
        Path out = Files.createTempFile("aixcl-ctrl-c", ".txt");
        Process cli = aixcl.start(out, "stack", "start", "--profile", "hang", "-f", stackFile.toString());
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.readString(out).contains("starting   hang") && cli.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(out)).as("the start reached the hung service").contains("starting   hang");
            Thread.sleep(500); // now waiting for health
            assertThat(cli.isAlive()).as(Files.readString(out)).isTrue();
            TestImages.runOrFail(List.of("kill", "-INT", Long.toString(cli.pid())));
            long t0 = System.nanoTime();
            assertThat(cli.waitFor(5, TimeUnit.SECONDS)).as("the CLI exits soon after Ctrl-C").isTrue();
            assertThat(cli.exitValue()).as("128 + SIGINT: " + Files.readString(out)).isEqualTo(130);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        } finally {
            cli.destroyForcibly();
        }
        Aixcl.Run daemon = aixcl.run("daemon", "status", "--json");
        assertThat(daemon.exit()).as(daemon.toString()).isZero();
        assertThat(json(daemon).get("pid").asLong()).as("the same daemon is still up").isEqualTo(pid);
        Aixcl.Run again = aixcl.run("stack", "start", "-f", stackFile.toString());
        assertThat(again.exit()).as("nothing is left locked: " + again).isZero();
    }

    @Test
    @Order(6)
    void statusStaysFastWhileAServiceHangsOnItsHealthCheck() throws Exception {
        Aixcl.Run start = aixcl.run("stack", "start", "--profile", "stuck", "-f", stackFile.toString());
        assertThat(start.exit()).as(start.toString()).isEqualTo(3);
        assertThat(running("stuck")).as("a service that fails its health check is left running to inspect").isTrue();
        long t0 = System.nanoTime();
        Aixcl.Run status = aixcl.run("stack", "status", "--json", "--profile", "hung", "-f", stackFile.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(status.exit()).as(status.toString()).isEqualTo(3);
        assertThat(took).as(status.toString()).isLessThan(Duration.ofSeconds(3));
        JsonNode services = json(status).get("services");
        JsonNode stuck = services.findParents("service").stream()
                .filter(s -> s.get("service").asText().equals("stuck")).findFirst().orElseThrow();
        assertThat(stuck.get("state").asText()).isEqualTo("running");
        assertThat(stuck.get("health").asText()).isNotEqualTo("healthy");
        JsonNode inference = services.findParents("service").stream()
                .filter(s -> s.get("service").asText().equals("inference")).findFirst().orElseThrow();
        assertThat(inference.get("health").asText()).isEqualTo("healthy");
    }

    @Test
    @Order(7)
    void anImageThatCanBeNeitherFoundNorPulledFailsFastWithExit5() throws Exception {
        // An operational service's image: the runtime core's own would not stop the start, it would run embedded
        // (EmbeddedBesideContainersIT).
        String image = "localhost/aixcl-nope:1";
        int port = TestImages.freeLoopbackPort();
        int webPort = TestImages.freeLoopbackPort();
        Path nope = aixcl.write("nope.yaml", TestStacks.stack(stack + "n", Map.of(
                "inference", TestStacks.httpService("inference", port, List.of(), ""),
                "web", TestStacks.httpService("web", webPort, List.of(), "").replace(TestImages.BUSYBOX, image)),
                Map.of("p", List.of("inference", "web")), "p"));
        long t0 = System.nanoTime();
        Aixcl.Run r = aixcl.run("stack", "start", "-f", nope.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(r.exit()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains(image);
        assertThat(took).as(r.toString()).isLessThan(Duration.ofSeconds(15));
        assertThat(user.podman("container", "exists", stack + "n-web").exitCode()).isNotZero();
        assertThat(user.podman("container", "exists", stack + "n-inference").exitCode())
                .as("nothing starts when an image is missing").isNotZero();
    }
}
