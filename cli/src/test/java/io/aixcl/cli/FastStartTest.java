package io.aixcl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.api.ApiError;
import io.aixcl.api.Dtos;
import io.aixcl.api.ErrorCode;
import io.aixcl.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `stack start` sent before picocli is built prints, sends and exits exactly as the ordinary path does. */
class FastStartTest {
    @TempDir
    Path home;

    private CannedDaemon daemon;
    private List<String> requests;

    @AfterEach
    void close() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
    }

    private void daemon(List<Dtos.Event> events) throws IOException {
        daemon = new CannedDaemon(home, events);
        requests = daemon.requests;
    }

    private CliRun ordinary(String... args) {
        return CliRun.ordinary(home, args);
    }

    private static String withoutSeconds(String out) {
        return out.replaceAll("\\(\\d+\\.\\ds\\)", "(N s)");
    }

    @Test
    void startSendsAndPrintsWhatTheOrdinaryPathDoes() throws Exception {
        daemon(List.of(
                new Dtos.Event("plan", null, null, null, null, null, 0, 0, null, null, null, null,
                        Map.of("actions", List.of(Map.of("service", "db", "action", "create")))),
                Dtos.Event.step("db", "creating", ""),
                new Dtos.Event("healthy", "db", null, null, null, null, 0, 0, 0.25, null, null, null, null),
                Dtos.Event.of("heartbeat"),
                new Dtos.Event("result", null, null, null, null, null, 0, 0, null, null, null, null,
                        Map.of("profile", "usr"))));
        String file = Files.writeString(home.resolve("stack \"one\".yaml"), "version: 1\n").toString();
        CliRun fast = CliRun.of(home, "stack", "start", "-p", "usr", "-f", file);
        CliRun ordinary = ordinary("stack", "start", "-p", "usr", "-f", file);

        assertThat(requests).hasSize(2).allMatch(r -> r.startsWith("POST /v1/stack/start HTTP/1.1 {"));
        assertThat(requests.get(0)).isEqualTo(requests.get(1)); // the same request, byte for byte
        assertThat(fast.exit()).isZero();
        assertThat(withoutSeconds(fast.out())).isEqualTo(withoutSeconds(ordinary.out()))
                .contains("healthy    db").contains("stack is up: profile 'usr'");
        assertThat(fast.err()).isEqualTo(ordinary.err());
    }

    @Test
    void aFailedStartReportsTheSameErrorAndExitCode() throws Exception {
        daemon(List.of(Dtos.Event.step("db", "creating", ""), new Dtos.Event("error", null, null, null, null, null,
                0, 0, null, null, null, new ApiError(ErrorCode.UNHEALTHY, "service 'db' did not become healthy",
                List.of("last log line")), null)));
        CliRun fast = CliRun.of(home, "stack", "start");
        CliRun ordinary = ordinary("stack", "start");

        assertThat(fast.exit()).isEqualTo(ordinary.exit()).isNotZero();
        assertThat(fast.out()).isEqualTo(ordinary.out());
        assertThat(fast.err()).isEqualTo(ordinary.err()).contains("did not become healthy").contains("  last log line");
    }

    @Test
    void theRequestIsWrittenAsJacksonWritesIt() throws Exception {
        for (String s : List.of("plain", "with \"quotes\" and \\ back", "tab\tnew\nline\r\u0001\u001f",
                "ünïcødé ✓ /slashes/")) {
            assertThat(FastPath.startRequest(s, s))
                    .isEqualTo(Json.MAPPER.writeValueAsString(new Dtos.StackRequest(s, s, false, false)));
        }
        assertThat(FastPath.startRequest(null, null))
                .isEqualTo(Json.MAPPER.writeValueAsString(Dtos.StackRequest.of(null, null)));
    }
}
