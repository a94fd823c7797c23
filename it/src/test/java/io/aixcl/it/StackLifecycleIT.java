package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
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
 * The stack control plane end to end, as a user drives it: {@code ./aixcl} against real rootful Podman. One stack
 * lives through the whole class, in order, the way a user's stack does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackLifecycleIT {
    private final PodmanUser user = PodmanUser.root();
    private final String stack = "it" + UUID.randomUUID().toString().substring(0, 6);
    private Aixcl aixcl;
    private Path stackFile;
    private List<Integer> ports;

    @BeforeAll
    void setUp() throws Exception {
        TestImages.busybox(user);
        aixcl = new Aixcl(user, "lifecycle");
        ports = TestImages.freeLoopbackPorts(6);
        stackFile = aixcl.write("stack.yaml", stackText(""));
    }

    @AfterAll
    void tearDown() {
        if (aixcl != null) {
            aixcl.cleanUp(stack);
        }
    }

    /** inference and db at level 0, app on db, ui on app and inference; ticker prints lines; bad never gets healthy. */
    private String stackText(String appExtra) {
        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", ports.get(0), List.of(), ""));
        s.put("db", TestStacks.httpService("db", ports.get(1), List.of(),
                "resources: {memory: 64m, pids: 64, cpus: 0.5}\nread_only: true\nrestart: \"no\"\nvolumes: [\"dbdata:/data\"]"));
        s.put("app", TestStacks.httpService("app", ports.get(2), List.of("db"), appExtra));
        s.put("ui", TestStacks.httpService("ui", ports.get(3), List.of("app", "inference"), "cap_add: [NET_BIND_SERVICE]"));
        s.put("ticker", "  ticker:\n    image: " + TestImages.BUSYBOX + "\n    command: [sh, -c, \"i=0; while true; do"
                + " i=$((i+1)); echo tick $i; sleep 0.2; done\"]\n    init: true\n");
        s.put("bad", "  bad:\n    image: " + TestImages.BUSYBOX + "\n    command: [sh, -c, \"echo bad-service-is-misconfigured;"
                + " exec httpd -f -p 127.0.0.1:" + ports.get(5) + " -h /www\"]\n    init: true\n    depends_on: [db]\n"
                + "    health: {http: \"http://127.0.0.1:" + ports.get(4)
                + "/health\", interval: 1s, timeout: 1s, retries: 1, start_period: 2s}\n");
        return TestStacks.stack(stack, s, Map.of("t", List.of("inference", "db", "app", "ui", "ticker"),
                "broken", List.of("inference", "db", "bad")), "t");
    }

    private JsonNode json(Aixcl.Run r) throws Exception {
        return Json.MAPPER.readTree(r.out());
    }

    private String containerId(String service) {
        return user.podman("inspect", "--format", "{{.Id}}", stack + "-" + service).output().strip();
    }

    @Test
    @Order(1)
    void planShowsLevelsAndWhatStartWouldDoWithoutDoingIt() throws Exception {
        Aixcl.Run r = aixcl.run("stack", "plan", "--json", "-f", stackFile.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode plan = json(r);
        assertThat(plan.get("levels").toString()).isEqualTo("[[\"db\",\"inference\",\"ticker\"],[\"app\"],[\"ui\"]]");
        assertThat(plan.get("actions").findValuesAsText("action")).containsOnly("create");
        assertThat(user.podman("ps", "-a", "--filter", "label=io.aixcl.stack=" + stack, "-q").output()).isBlank();
    }

    @Test
    @Order(2)
    void startBringsUpEveryServiceWithDependentsAfterTheirDependenciesAreHealthy() throws Exception {
        Aixcl.Run r = aixcl.run("stack", "start", "-f", stackFile.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        String out = r.out();
        // Containers are created ahead; starting is what waits for the dependencies' health.
        assertThat(out.indexOf("healthy    db")).isPositive().isLessThan(out.indexOf("starting   app"));
        assertThat(out.indexOf("healthy    app")).isLessThan(out.indexOf("starting   ui"));
        assertThat(out.indexOf("creating   ui")).isPositive().isLessThan(out.indexOf("starting   ui"));
        Aixcl.Run status = aixcl.run("stack", "status", "--json", "-f", stackFile.toString());
        assertThat(status.exit()).as(status.toString()).isZero();
        JsonNode services = json(status).get("services");
        assertThat(services).hasSize(5);
        for (JsonNode s : services) {
            assertThat(s.get("state").asText()).as(s.toString()).isEqualTo("running");
        }
        assertThat(services.findValuesAsText("health")).containsOnly("healthy", "none");
    }

    @Test
    @Order(3)
    void secondStartChangesNothing() throws Exception {
        String before = containerId("app");
        Aixcl.Run plan = aixcl.run("stack", "plan", "--json", "-f", stackFile.toString());
        assertThat(json(plan).get("changesNothing").asBoolean()).as(plan.toString()).isTrue();
        Aixcl.Run r = aixcl.run("stack", "start", "-f", stackFile.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).doesNotContain("creating", "recreating");
        assertThat(containerId("app")).isEqualTo(before);
    }

    @Test
    @Order(4)
    void changedSpecRecreatesExactlyThatService() throws Exception {
        String app = containerId("app");
        String db = containerId("db");
        String ui = containerId("ui");
        Files.writeString(stackFile, stackText("environment: {GREETING: changed}"));
        Aixcl.Run r = aixcl.run("stack", "start", "-f", stackFile.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("recreating app");
        assertThat(containerId("app")).isNotEqualTo(app);
        assertThat(containerId("db")).isEqualTo(db);
        assertThat(containerId("ui")).isEqualTo(ui);
    }

    @Test
    @Order(5)
    void limitsCapabilitiesReadOnlyRootAndLabelsAreVisibleInInspect() throws Exception {
        JsonNode db = Json.MAPPER.readTree(user.podman("inspect", stack + "-db").output()).get(0);
        JsonNode host = db.get("HostConfig");
        assertThat(host.get("Memory").asLong()).isEqualTo(64L * 1024 * 1024);
        assertThat(host.get("PidsLimit").asLong()).isEqualTo(64);
        assertThat(host.get("NanoCpus").asLong()).isEqualTo(500_000_000L);
        assertThat(host.get("ReadonlyRootfs").asBoolean()).isTrue();
        assertThat(host.get("Privileged").asBoolean()).isFalse();
        assertThat(host.get("SecurityOpt").toString()).contains("no-new-privileges");
        assertThat(host.get("NetworkMode").asText()).isEqualTo("host");
        assertThat(db.get("Config").get("Labels").get("io.aixcl.stack").asText()).isEqualTo(stack);
        assertThat(db.get("Config").get("Labels").get("io.aixcl.service").asText()).isEqualTo("db");
        assertThat(db.get("Config").get("Labels").has("io.aixcl.spec-hash")).isTrue();
        // CapDrop ALL leaves an empty effective set; the ui service adds exactly one back.
        JsonNode ui = Json.MAPPER.readTree(user.podman("inspect", stack + "-ui").output()).get(0);
        assertThat(db.get("EffectiveCaps") == null || db.get("EffectiveCaps").isEmpty()
                || db.get("EffectiveCaps").isNull()).as(db.get("EffectiveCaps") + "").isTrue();
        assertThat(ui.get("EffectiveCaps").toString()).isEqualTo("[\"CAP_NET_BIND_SERVICE\"]");
    }

    @Test
    @Order(6)
    void serviceStopStartAndRestart() throws Exception {
        Aixcl.Run stop = aixcl.run("service", "stop", "ui", "-f", stackFile.toString());
        assertThat(stop.exit()).as(stop.toString()).isZero();
        Aixcl.Run status = aixcl.run("stack", "status", "--json", "-f", stackFile.toString());
        assertThat(status.exit()).as("a stopped service makes the stack unhealthy").isEqualTo(3);
        assertThat(json(status).get("services").findValues("state").stream().map(JsonNode::asText))
                .contains("exited");
        Aixcl.Run start = aixcl.run("service", "start", "ui", "-f", stackFile.toString());
        assertThat(start.exit()).as(start.toString()).isZero();
        String startedAt = user.podman("inspect", "--format", "{{.State.StartedAt}}", stack + "-ui").output();
        Aixcl.Run restart = aixcl.run("service", "restart", "ui", "-f", stackFile.toString());
        assertThat(restart.exit()).as(restart.toString()).isZero();
        assertThat(user.podman("inspect", "--format", "{{.State.StartedAt}}", stack + "-ui").output())
                .isNotEqualTo(startedAt);
        Aixcl.Run svc = aixcl.run("service", "status", "ui", "--json", "-f", stackFile.toString());
        assertThat(svc.exit()).as(svc.toString()).isZero();
        assertThat(json(svc).get("health").asText()).isEqualTo("healthy");
    }

    @Test
    @Order(7)
    void logsShowTheTailAndFollowNewLines() throws Exception {
        Aixcl.Run tail = aixcl.run("service", "logs", "ticker", "--tail", "3", "-f", stackFile.toString());
        assertThat(tail.exit()).as(tail.toString()).isZero();
        assertThat(tail.out().lines()).hasSize(3).allMatch(l -> l.startsWith("tick "));
        Path out = Files.createTempFile("follow", ".txt");
        Process follow = aixcl.start(out, "service", "logs", "ticker", "--follow", "--tail", "1", "-f",
                stackFile.toString());
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (Files.readAllLines(out).stream().filter(l -> l.startsWith("tick ")).count() < 4
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            List<String> lines = Files.readAllLines(out).stream().filter(l -> l.startsWith("tick ")).toList();
            assertThat(lines).as("followed lines").hasSizeGreaterThanOrEqualTo(4);
            int first = Integer.parseInt(lines.get(0).substring(5));
            int last = Integer.parseInt(lines.get(lines.size() - 1).substring(5));
            assertThat(last).isGreaterThan(first);
            // When the followed service stops, nothing more can come: the follow ends by itself.
            assertThat(aixcl.run("service", "stop", "ticker", "-f", stackFile.toString()).exit()).isZero();
            assertThat(follow.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).as("follow ended").isTrue();
            assertThat(follow.exitValue()).isZero();
        } finally {
            follow.destroy();
        }
    }

    @Test
    @Order(8)
    void aCrashedServiceShowsItsExitCode() throws Exception {
        user.podman("kill", "--signal", "KILL", stack + "-db");
        Thread.sleep(300);
        Aixcl.Run status = aixcl.run("service", "status", "db", "--json", "-f", stackFile.toString());
        assertThat(status.exit()).isEqualTo(3);
        JsonNode db = json(status);
        assertThat(db.get("state").asText()).isEqualTo("exited");
        assertThat(db.get("exitCode").asInt()).isEqualTo(137);
        assertThat(db.has("restarts")).isTrue();
        Aixcl.Run start = aixcl.run("stack", "start", "-f", stackFile.toString());
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.out()).contains("starting   db");
    }

    @Test
    @Order(9)
    void aServiceThatNeverGetsHealthyFailsTheStartWithItsLogsAndHealthyServicesStayUp() throws Exception {
        Aixcl.Run r = aixcl.run("stack", "start", "--profile", "broken", "-f", stackFile.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("'bad'").contains("bad-service-is-misconfigured");
        assertThat(user.podman("inspect", "--format", "{{.State.Running}}", stack + "-db").output().strip())
                .isEqualTo("true");
        aixcl.run("service", "stop", "bad", "--profile", "broken", "-f", stackFile.toString());
        user.podman("rm", "-f", stack + "-bad");
    }

    @Test
    @Order(10)
    void portHeldByAnotherProcessIsReportedBeforeAnythingStarts() throws Exception {
        int port = TestImages.freeLoopbackPort();
        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", ports.get(0), List.of(), ""));
        s.put("squatter", TestStacks.httpService("squatter", port, List.of(), ""));
        Path other = aixcl.write("ports.yaml", TestStacks.stack(stack, s,
                Map.of("p", List.of("inference", "squatter")), "p"));
        try (ServerSocket held = new ServerSocket()) {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Aixcl.Run r = aixcl.run("stack", "start", "-f", other.toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(7);
            assertThat(r.err()).contains("port " + port + " of service 'squatter'");
            assertThat(r.err()).doesNotContain("port " + ports.get(0)); // held by our own container: no conflict
        }
        assertThat(user.podman("container", "exists", stack + "-squatter").exitCode()).isNotZero();
    }

    @Test
    @Order(11)
    void containersOfServicesNoLongerDeclaredAreReportedThenRemovedOnRequest() throws Exception {
        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", ports.get(0), List.of(), ""));
        s.put("db", TestStacks.httpService("db", ports.get(1), List.of(),
                "resources: {memory: 64m, pids: 64, cpus: 0.5}\nread_only: true\nrestart: \"no\""));
        Path smaller = aixcl.write("smaller.yaml", TestStacks.stack(stack, s, Map.of("t", List.of("inference", "db")), "t"));
        Aixcl.Run r = aixcl.run("stack", "start", "-f", smaller.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("orphan     " + stack + "-ticker");
        assertThat(user.podman("container", "exists", stack + "-ticker").exitCode()).isZero();
        Aixcl.Run removed = aixcl.run("stack", "start", "--remove-orphans", "-f", smaller.toString());
        assertThat(removed.exit()).as(removed.toString()).isZero();
        assertThat(user.podman("container", "exists", stack + "-ticker").exitCode()).isNotZero();
        assertThat(aixcl.run("stack", "start", "-f", stackFile.toString()).exit()).isZero();
    }

    @Test
    @Order(12)
    void anInvalidStackFileIsRefusedWithFileLineAndFieldAndNothingStarts() throws Exception {
        Path bad = aixcl.write("bad.yaml", """
                version: 1
                name: %s
                services:
                  web:
                    image: localhost/x:latest
                    depends_on: [nowhere]
                    volumes: ["/etc:/host-etc"]
                    resources: {memory: 12q}
                    colour: blue
                """.formatted(stack));
        Aixcl.Run r = aixcl.run("stack", "start", "-f", bad.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("bad.yaml:5").contains("latest");
        assertThat(r.err()).contains("bad.yaml:6").contains("nowhere");
        assertThat(r.err()).contains("bad.yaml:7");
        assertThat(r.err()).contains("bad.yaml:8");
        assertThat(r.err()).contains("bad.yaml:9").contains("colour");
        assertThat(user.podman("container", "exists", stack + "-web").exitCode()).isNotZero();
    }

    @Test
    @Order(13)
    void theSocketIsPrivateAndASecondDaemonRefusesToStart() throws Exception {
        Path runtime = aixcl.home.resolve("run");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime.resolve("aixcld.sock"))))
                .isEqualTo("rw-------");
        Path jar = Aixcl.REPO.resolve("dist/target/aixcl/lib/aixcl-daemon.jar");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar.toString()).redirectErrorStream(true);
        pb.environment().put("AIXCL_HOME", aixcl.home.toString());
        Process second = pb.start();
        second.getOutputStream().close();
        assertThat(second.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(7);
        assertThat(new String(second.getInputStream().readAllBytes())).contains("already running");
    }

    @Test
    @Order(14)
    void theDaemonCanRestartWhileContainersRun() throws Exception {
        String app = containerId("app");
        Aixcl.Run stop = aixcl.run("daemon", "stop");
        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(user.podman("inspect", "--format", "{{.State.Running}}", stack + "-app").output().strip())
                .isEqualTo("true");
        Aixcl.Run status = aixcl.run("stack", "status", "--json", "-f", stackFile.toString());
        assertThat(status.exit()).as(status.toString()).isZero();
        assertThat(containerId("app")).isEqualTo(app);
    }

    @Test
    @Order(15)
    void stopStopsEverythingInReverseOrderAndKeepsVolumes() throws Exception {
        Aixcl.Run r = aixcl.run("stack", "stop", "-f", stackFile.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out().indexOf("stopped    ui")).isLessThan(r.out().indexOf("stopping   app"));
        assertThat(user.podman("ps", "--filter", "label=io.aixcl.stack=" + stack, "-q").output()).isBlank();
        assertThat(user.podman("volume", "ls", "--filter", "label=io.aixcl.stack=" + stack, "-q").output())
                .isNotBlank();
    }
}
