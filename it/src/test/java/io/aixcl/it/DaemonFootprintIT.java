package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the daemon loads while it runs a stack of plain-HTTP services on loopback: none of TLS, the JMX server or Bouncy Castle,
 * each of which costs megabytes of its idle RSS (target < 120 MB) and is needed only for what this stack does not ask
 * for (an https health check or upstream, the TCP listener, issuing certificates).
 */
class DaemonFootprintIT {
    private final PodmanUser user = PodmanUser.root();
    private final String stack = "fp" + UUID.randomUUID().toString().substring(0, 6);
    private Aixcl aixcl;

    @AfterEach
    void tearDown() {
        if (aixcl != null) {
            aixcl.cleanUp(stack);
        }
    }

    @Test
    void aStackOfPlainHttpServicesLoadsNoTlsNoJmxNoBouncyCastle() throws Exception {
        TestImages.busybox(user);
        aixcl = new Aixcl(user, "footprint");
        List<Integer> ports = TestImages.freeLoopbackPorts(2);
        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", ports.get(0), List.of(), ""));
        s.put("app", TestStacks.httpService("app", ports.get(1), List.of("inference"), ""));
        Path stackFile = aixcl.write("stack.yaml", TestStacks.stack(stack, s, Map.of("p", List.of("inference", "app")), "p"));
        Path logs = Files.createDirectories(aixcl.home.resolve("classlog"));
        // %p: the CLI's JVM and the daemon's (started by the CLI, inheriting its environment) each log to their own file.
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS",
                "-Xlog:class+load=info:file=" + logs.resolve("classes-%p.log") + ":none");

        Aixcl.Run start = aixcl.run(env, "stack", "start", "--stack-file", stackFile.toString());
        assertThat(start.exit()).as(start.toString()).isZero();
        Aixcl.Run status = aixcl.run(env, "stack", "status", "--json", "--stack-file", stackFile.toString());
        assertThat(status.exit()).as(status.toString()).isZero();

        String pid = Files.readString(aixcl.home.resolve("run/aixcld.lock")).replaceAll("[^0-9]", "");
        Path daemonLog = logs.resolve("classes-" + pid + ".log");
        assertThat(daemonLog).as("the daemon's class log (files: %s)", list(logs)).exists();
        String loaded = Files.readString(daemonLog);
        assertThat(loaded).as("the daemon ran the stack").contains("io.aixcl.core.health.NetworkHealthProber");
        assertThat(loaded)
                .as("JSSE: a TLS context (docker-java's client for the engine's Unix socket, the https prober)")
                .doesNotContain("sun.security.ssl.SSLContextImpl ")
                .as("the JDK's HttpClient (health probes of plain http use a socket)")
                .doesNotContain("jdk.internal.net.http.HttpClientImpl ")
                .as("the platform MBean server").doesNotContain("com.sun.jmx.mbeanserver.JmxMBeanServer ")
                .as("Bouncy Castle").doesNotContain("org.bouncycastle.");
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
