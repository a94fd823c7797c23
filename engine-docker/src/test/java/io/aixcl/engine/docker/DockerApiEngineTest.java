package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ContainerSpec;
import io.aixcl.core.engine.ContainerState;
import io.aixcl.core.engine.LogLine;
import io.aixcl.core.engine.PullProgress;
import io.aixcl.core.testing.TestImages;
import java.io.Closeable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the Docker-API adapter does beyond the shared contract, checked against real (rootful) Podman. */
class DockerApiEngineTest {
    private static final String TEST_LABEL = "io.aixcl.test";
    private final String run = "de" + UUID.randomUUID().toString().substring(0, 8);
    private final DockerApiEngine engine = RealPodman.rootful();

    @AfterEach
    void removeWhatThisTestCreated() {
        for (ContainerState c : engine.listContainers(Map.of(TEST_LABEL, run))) {
            engine.removeContainer(c.id());
        }
        for (var v : engine.listVolumes(Map.of(TEST_LABEL, run))) {
            engine.removeVolume(v.name());
        }
    }

    private ContainerSpec spec(String name, List<String> command) {
        return new ContainerSpec(run + "-" + name, TestImages.BUSYBOX, command, Map.of("GREETING", "hello"),
                Map.of(TEST_LABEL, run, "io.aixcl.service", name), List.of(), List.of(), true, Map.of(), 0, 0, 0,
                List.of(), false, Optional.empty(), "no", 0, true, Optional.empty(), Duration.ofSeconds(2));
    }

    private static ContainerSpec with(ContainerSpec s, List<ContainerSpec.Mount> mounts, List<String> tmpfs,
            boolean hostNetwork, Map<Integer, Integer> ports, double cpus, long memory, long pids, List<String> capAdd,
            boolean readOnly, Optional<String> user, String restart, int retries, Optional<String> stopSignal) {
        return new ContainerSpec(s.name(), s.image(), s.command(), s.environment(), s.labels(), mounts, tmpfs,
                hostNetwork, ports, cpus, memory, pids, capAdd, readOnly, user, restart, retries, s.init(), stopSignal,
                s.stopTimeout());
    }

    private ContainerState awaitExit(String id) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            ContainerState state = engine.inspectContainer(id).orElseThrow();
            if (state.status() == ContainerState.Status.EXITED) {
                return state;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("container " + id + " did not exit");
    }

    @Test
    void createdContainerIsHardenedAndLimitedAsSpecified() {
        var s = with(spec("hardened", List.of("sleep", "1000")), List.of(), List.of("/scratch:size=1m"), true,
                Map.of(), 0.5, 64L << 20, 50, List.of("SYS_PTRACE"), true, Optional.of("65534"), "on-failure",
                2, Optional.of("SIGINT"));
        String id = engine.createContainer(s);

        var inspect = engine.client().inspectContainerCmd(id).exec();
        var host = inspect.getHostConfig();
        // Docker echoes ALL; Podman expands it into the capabilities it actually dropped.
        assertThat(host.getCapDrop()).satisfiesAnyOf(
                drop -> assertThat(drop).contains(Capability.ALL),
                drop -> assertThat(drop).contains(Capability.CHOWN, Capability.DAC_OVERRIDE, Capability.SETUID,
                        Capability.NET_RAW, Capability.KILL).doesNotContain(Capability.SYS_PTRACE));
        // Podman lists only what is added beyond its defaults, so this uses a capability outside them.
        assertThat(host.getCapAdd()).containsExactly(Capability.SYS_PTRACE);
        assertThat(host.getPrivileged()).isFalse();
        assertThat(host.getReadonlyRootfs()).isTrue();
        assertThat(host.getMemory()).isEqualTo(64L << 20);
        assertThat(host.getPidsLimit()).isEqualTo(50);
        assertThat(host.getNanoCPUs()).isEqualTo(500_000_000L);
        assertThat(host.getNetworkMode()).isEqualTo("host");
        assertThat(host.getInit()).isTrue();
        assertThat(host.getRestartPolicy().getName()).isEqualTo("on-failure");
        assertThat(host.getRestartPolicy().getMaximumRetryCount()).isEqualTo(2);
        assertThat(host.getTmpFs()).containsKey("/scratch");
        assertThat(inspect.getConfig().getLabels()).containsEntry("io.aixcl.service", "hardened");
        assertThat(inspect.getConfig().getUser()).isEqualTo("65534");
        // docker-java's model lacks StopSignal and StopTimeout: read them from the raw answer.
        var raw = rawInspect(id).path("Config");
        // Podman answers with the signal's number.
        assertThat(raw.path("StopSignal").asText()).isIn("SIGINT", "2");
        assertThat(raw.path("StopTimeout").asInt()).isEqualTo(2);
        assertThat(inspect.getConfig().getEnv()).contains("GREETING=hello");
    }

    @Test
    void theContainerRunsWithOnlyTheAddedCapabilityAndAReadOnlyRoot() {
        var s = with(spec("caps", List.of("sleep", "1000")), List.of(), List.of("/scratch"), true, Map.of(), 0, 0, 0,
                List.of("CAP_NET_BIND_SERVICE"), true, Optional.empty(), "no", 0, Optional.empty());
        String id = engine.createContainer(s);
        engine.startContainer(id);

        String status = engine.exec(id, List.of("cat", "/proc/self/status"), Duration.ofSeconds(10)).output();
        // Bit 10 is CAP_NET_BIND_SERVICE; everything else, even for uid 0, is gone.
        assertThat(status).contains("CapEff:\t0000000000000400").contains("CapBnd:\t0000000000000400");
        assertThat(engine.exec(id, List.of("touch", "/written"), Duration.ofSeconds(10)).exitCode()).isNotZero();
        assertThat(engine.exec(id, List.of("touch", "/scratch/written"), Duration.ofSeconds(10)).exitCode()).isZero();
    }

    @Test
    void publishedPortsBindLoopbackOnlyOnABridge() throws Exception {
        int hostPort = TestImages.freeLoopbackPort();
        var s = with(spec("published", List.of("httpd", "-f", "-p", "8080", "-h", "/www")), List.of(), List.of(),
                true, Map.of(hostPort, 8080), 0, 0, 0, List.of(), false, Optional.empty(), "no", 0, Optional.empty());
        String id = engine.createContainer(s);
        engine.startContainer(id);

        var host = engine.client().inspectContainerCmd(id).exec().getHostConfig();
        assertThat(host.getNetworkMode()).isEqualTo("bridge");
        var bindings = host.getPortBindings().getBindings().get(ExposedPort.tcp(8080));
        assertThat(bindings).singleElement().satisfies(b -> {
            assertThat(b.getHostIp()).isEqualTo("127.0.0.1");
            assertThat(b.getHostPortSpec()).isEqualTo(String.valueOf(hostPort));
        });
        awaitHttp("http://127.0.0.1:" + hostPort + "/health");
        assertThat(httpGet("http://127.0.0.1:" + hostPort + "/health")).isEqualTo("ok\n");
    }

    @Test
    void aSecretFileIsMountedReadOnlyAndNothingOutsideTheSecretsFolderIsMounted() throws Exception {
        Path secret = Files.writeString(RealPodman.secretsDir().resolve(run + "-token"), "s3cret");
        var ok = with(spec("secret", List.of("sleep", "1000")),
                List.of(new ContainerSpec.SecretFileMount(secret.toString(), "/run/secrets/token")), List.of(), true,
                Map.of(), 0, 0, 0, List.of(), false, Optional.empty(), "no", 0, Optional.empty());
        String id = engine.createContainer(ok);
        engine.startContainer(id);
        assertThat(engine.exec(id, List.of("cat", "/run/secrets/token"), Duration.ofSeconds(10)).output())
                .isEqualTo("s3cret");
        // The read-only bind refuses writes even though a capability-less root could not write it anyway.
        assertThat(engine.exec(id, List.of("touch", "/run/secrets/token"), Duration.ofSeconds(10)).ok()).isFalse();

        var socket = with(spec("socket", List.of("sleep", "1000")),
                List.of(new ContainerSpec.SecretFileMount("/run/podman/podman.sock", "/var/run/docker.sock")),
                List.of(), true, Map.of(), 0, 0, 0, List.of(), false, Optional.empty(), "no", 0, Optional.empty());
        assertThatThrownBy(() -> engine.createContainer(socket)).isInstanceOf(AixclException.InvalidInput.class)
                .hasMessageContaining("outside the secrets folder");
        assertThat(engine.inspectContainer(socket.name())).isEmpty();
    }

    @Test
    void namedVolumesKeepDataAcrossContainersAndHonourReadOnly() throws Exception {
        String volume = run + "-data";
        engine.ensureVolume(volume, Map.of(TEST_LABEL, run));
        var writer = with(spec("writer", List.of("touch", "/data/written")),
                List.of(new ContainerSpec.VolumeMount(volume, "/data", false)), List.of(), true, Map.of(), 0, 0, 0,
                List.of(), false, Optional.empty(), "no", 0, Optional.empty());
        String w = engine.createContainer(writer);
        engine.startContainer(w);
        assertThat(awaitExit(w).exitCode()).isZero();

        var reader = with(spec("reader", List.of("sleep", "1000")),
                List.of(new ContainerSpec.VolumeMount(volume, "/data", true)), List.of(), true, Map.of(), 0, 0, 0,
                List.of(), false, Optional.empty(), "no", 0, Optional.empty());
        String r = engine.createContainer(reader);
        engine.startContainer(r);
        assertThat(engine.exec(r, List.of("ls", "/data"), Duration.ofSeconds(10)).output()).contains("written");
        assertThat(engine.exec(r, List.of("touch", "/data/again"), Duration.ofSeconds(10)).ok()).isFalse();
        engine.removeContainer(w);
        engine.removeContainer(r);
    }

    @Test
    void logsHonourTailAndSeparateTheStreams() throws Exception {
        String id = engine.createContainer(spec("seq", List.of("seq", "1", "5")));
        engine.startContainer(id);
        awaitExit(id);

        List<LogLine> last = new ArrayList<>();
        engine.logs(id, 2, false, last::add).close();
        assertThat(last).extracting(LogLine::text).containsExactly("4", "5");
        assertThat(last).extracting(LogLine::stream).containsOnly(LogLine.Stream.STDOUT);
        assertThat(last.getFirst().time()).isAfter(java.time.Instant.now().minusSeconds(60));

        List<LogLine> all = new ArrayList<>();
        engine.logs(id, -1, false, all::add);
        assertThat(all).extracting(LogLine::text).containsExactly("1", "2", "3", "4", "5");

        String failing = engine.createContainer(spec("err", List.of("cat", "/missing")));
        engine.startContainer(failing);
        awaitExit(failing);
        List<LogLine> errors = new ArrayList<>();
        engine.logs(failing, -1, false, errors::add);
        assertThat(errors).singleElement().satisfies(l -> {
            assertThat(l.stream()).isEqualTo(LogLine.Stream.STDERR);
            assertThat(l.text()).contains("/missing");
        });
    }

    @Test
    void followedLogsSeeNewLinesUntilClosed() throws Exception {
        int port = TestImages.freeLoopbackPort();
        String id = engine.createContainer(spec("follow",
                List.of("httpd", "-f", "-vv", "-p", "127.0.0.1:" + port, "-h", "/www")));
        engine.startContainer(id);
        List<LogLine> seen = new CopyOnWriteArrayList<>();
        Closeable handle = engine.logs(id, 0, true, seen::add);

        awaitHttp("http://127.0.0.1:" + port + "/health");
        awaitLines(seen, 1);
        assertThat(seen).extracting(LogLine::text).anySatisfy(t -> assertThat(t).contains("url:/health"));

        handle.close();
        int before = seen.size();
        httpGet("http://127.0.0.1:" + port + "/health");
        Thread.sleep(300);
        assertThat(seen).hasSize(before);
    }

    @Test
    void execReportsExitCodesAndOutputWithoutAShell() {
        String id = engine.createContainer(spec("exec", List.of("sleep", "1000")));
        engine.startContainer(id);

        assertThat(engine.exec(id, List.of("echo", "a b;c"), Duration.ofSeconds(10)).output()).isEqualTo("a b;c\n");
        assertThat(engine.exec(id, List.of("false"), Duration.ofSeconds(10)).exitCode()).isEqualTo(1);
        var missing = engine.exec(id, List.of("cat", "/nope"), Duration.ofSeconds(10));
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.output()).contains("/nope");
    }

    @Test
    void execThatOutlivesItsTimeoutFails() {
        String id = engine.createContainer(spec("slow", List.of("sleep", "1000")));
        engine.startContainer(id);
        long start = System.nanoTime();
        assertThatThrownBy(() -> engine.exec(id, List.of("sleep", "5"), Duration.ofMillis(300)))
                .isInstanceOf(AixclException.Failed.class)
                .hasMessageContaining("did not finish within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void execInAStoppedContainerFails() {
        String id = engine.createContainer(spec("stopped", List.of("sleep", "1000")));
        assertThatThrownBy(() -> engine.exec(id, List.of("true"), Duration.ofSeconds(5)))
                .isInstanceOf(AixclException.Failed.class);
    }

    @Test
    void aCrashedContainerShowsItsExitCodeAndTimes() throws Exception {
        String id = engine.createContainer(spec("crash", List.of("cat", "/missing")));
        engine.startContainer(id);
        ContainerState state = awaitExit(id);

        assertThat(state.exitCode()).isEqualTo(1);
        assertThat(state.startedAt()).isPresent();
        // Not compared with startedAt: Podman records StartedAt after a fast process may already have finished.
        assertThat(state.finishedAt()).isPresent();
        assertThat(state.oomKilled()).isFalse();
        assertThat(engine.listContainers(Map.of(TEST_LABEL, run))).extracting(ContainerState::id).contains(id);
    }

    @Test
    void aContainerOverItsMemoryLimitIsKilled() throws Exception {
        // tail buffers everything it reads while looking for line ends, so /dev/zero grows it without bound.
        var s = with(spec("oom", List.of("tail", "/dev/zero")), List.of(), List.of(), true, Map.of(), 0, 16L << 20,
                0, List.of(), false, Optional.empty(), "no", 0, Optional.empty());
        String id = engine.createContainer(s);
        engine.startContainer(id);
        // 137 = SIGKILL. The OOMKilled flag itself is not reported by Podman 4.3 on a hybrid-cgroup kernel.
        assertThat(awaitExit(id).exitCode()).isEqualTo(137);
    }

    @Test
    void stoppingAnHttpdRunUnderInitIsQuick() throws Exception {
        int port = TestImages.freeLoopbackPort();
        var s = new ContainerSpec(run + "-httpd", TestImages.BUSYBOX,
                List.of("httpd", "-f", "-p", "127.0.0.1:" + port, "-h", "/www"), Map.of(), Map.of(TEST_LABEL, run),
                List.of(), List.of(), true, Map.of(), 0, 0, 0, List.of(), true, Optional.empty(), "no", 0, true,
                Optional.empty(), Duration.ofSeconds(10));
        String id = engine.createContainer(s);
        engine.startContainer(id);
        awaitHttp("http://127.0.0.1:" + port + "/health");

        long start = System.nanoTime();
        engine.stopContainer(id, Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(engine.inspectContainer(id)).get().extracting(ContainerState::status)
                .isEqualTo(ContainerState.Status.EXITED);
    }

    @Test
    void anUnpullableImageReportsTheRegistrysError() {
        String image = "localhost:1/aixcl/nothing-" + run + ":1";
        List<PullProgress> progress = new ArrayList<>();
        assertThatThrownBy(() -> engine.pullImage(image, progress::add))
                .isInstanceOfSatisfying(AixclException.ImageUnavailable.class, e -> {
                    assertThat(e.image()).isEqualTo(image);
                    assertThat(e.getMessage()).startsWith(image + ": ").contains("connection refused");
                });
    }

    @Test
    void anUnknownContainerIsNotFound() {
        assertThatThrownBy(() -> engine.startContainer(run + "-ghost")).isInstanceOf(AixclException.NotFound.class);
        assertThatThrownBy(() -> engine.removeContainer(run + "-ghost")).isInstanceOf(AixclException.NotFound.class);
    }

    @Test
    void creatingFromAMissingImageIsImageUnavailable() {
        var s = new ContainerSpec(run + "-noimage", "localhost/aixcl-missing-" + run + ":1", List.of(), Map.of(),
                Map.of(TEST_LABEL, run), List.of(), List.of(), true, Map.of(), 0, 0, 0, List.of(), false,
                Optional.empty(), "no", 0, false, Optional.empty(), Duration.ofSeconds(1));
        assertThatThrownBy(() -> engine.createContainer(s)).isInstanceOf(AixclException.ImageUnavailable.class);
    }

    @Test
    void theRootfulEngineWasStartedOnDemandAndSaysHowItWasFound() {
        var info = engine.info();
        assertThat(info.serviceStartedByDaemon()).isTrue();
        assertThat(info.selectedBy()).isEqualTo("Podman API service started by aixcl");
        assertThat(info.considered()).last().asString().contains("selected: started").contains("system service");
        assertThat(info.apiVersion()).isEqualTo("1.41");
    }

    private com.fasterxml.jackson.databind.JsonNode rawInspect(String id) {
        try (var http = Transports.unix(Path.of(engine.info().socket()), Duration.ofSeconds(2), Duration.ofSeconds(5),
                1)) {
            return EngineHandshake.get(http, "/v" + engine.info().apiVersion() + "/containers/" + id + "/json");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitLines(List<LogLine> lines, int count) throws InterruptedException {
        for (int i = 0; i < 200 && lines.size() < count; i++) {
            Thread.sleep(25);
        }
    }

    private static void awaitHttp(String url) throws Exception {
        Exception last = null;
        for (int i = 0; i < 200; i++) {
            try {
                httpGet(url);
                return;
            } catch (java.io.IOException e) {
                last = e;
                Thread.sleep(25);
            }
        }
        throw new AssertionError(url + " never answered", last);
    }

    private static String httpGet(String url) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
