package io.aixcl.stackfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.stackfile.ComposeExport.Networking;
import io.aixcl.stackfile.ComposeExport.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The export is read by the real podman-compose. Version 1.0.3 has no {@code config} command, so the check is a dry
 * run of {@code up --no-start} with {@code echo} as the podman binary: podman-compose parses and translates the whole
 * file into podman commands, and nothing is created (a dry run with real podman still creates networks and volumes).
 */
class PodmanComposeAcceptsExportTest {
    private static final Path PODMAN_COMPOSE = Path.of("/usr/bin/podman-compose");
    private static final Path ECHO = Path.of("/usr/bin/echo");

    @ParameterizedTest
    @CsvSource({"usr,HOST", "dev,HOST", "ops,HOST", "sys,HOST", "usr,PUBLISHED_LOOPBACK", "dev,PUBLISHED_LOOPBACK",
            "ops,PUBLISHED_LOOPBACK", "sys,PUBLISHED_LOOPBACK"})
    void podmanComposeTranslatesEveryServiceOfEveryProfile(String profile, Networking networking, @TempDir Path dir)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(PODMAN_COMPOSE)) {
            fail("podman-compose is missing: apt-get install -y podman-compose");
        }
        StackPlan plan = ComposeExportTest.plan(profile);
        Path file = dir.resolve("compose.yaml");
        Files.writeString(file, ComposeExport.of(plan, new Options(networking, dir.resolve("secrets"))));

        Process p = new ProcessBuilder(PODMAN_COMPOSE.toString(), "--podman-path", ECHO.toString(), "-p",
                "aixcl-export-test", "-f", file.toString(), "--dry-run", "up", "--no-start")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("Traceback");

        List<String> creates = out.lines().filter(l -> l.startsWith(ECHO + " create ")).toList();
        assertThat(creates).hasSize(plan.services().size());
        for (ServiceSpec s : plan.services()) {
            String create = creates.stream().filter(l -> l.contains("--name=" + plan.containerName(s.name()) + " "))
                    .findFirst().orElseThrow(() -> new AssertionError("no create for " + s.name() + " in\n" + out));
            assertThat(create).contains("--cap-drop ALL", s.image().value());
            if (networking == Networking.HOST) {
                assertThat(create).contains("--network host");
            } else {
                s.ports().forEach(port -> assertThat(create).contains("-p 127.0.0.1:" + port + ":" + port));
            }
        }
    }
}
