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

/** `models add` sent before picocli is built sends, prints and exits exactly as the ordinary path does. */
class FastModelsAddTest {
    private static final String HEX = "a".repeat(64);

    @TempDir
    Path home;

    private CannedDaemon daemon;

    @AfterEach
    void close() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
    }

    private CliRun ordinary(String... args) {
        return CliRun.ordinary(home, args);
    }

    private static Dtos.Event result(String name, long size, long downloaded) {
        return new Dtos.Event("result", null, null, null, null, null, 0, 0, null, null, null, null,
                Map.of("name", name, "sizeBytes", size, "downloadedBytes", downloaded));
    }

    @Test
    void aUrlPullSendsAndPrintsWhatTheOrdinaryPathDoes() throws Exception {
        daemon = new CannedDaemon(home, List.of(
                Dtos.Event.step("bench:latest", "resolved", "1 blob(s), 1073741824 bytes, 0 already here"),
                new Dtos.Event("pull", null, "downloading", null, "sha256:" + HEX, "sha256:" + HEX, 0, 1073741824L,
                        null, null, null, null, null),
                Dtos.Event.of("heartbeat"),
                new Dtos.Event("pull", null, "verified complete", null, null, "sha256:" + HEX, 1073741824L,
                        1073741824L, null, null, null, null, null),
                Dtos.Event.step("bench:latest", "published", "1073741824 bytes"),
                result("bench:latest", 1073741824L, 1073741824L)));
        String[] args = {"models", "add", "http://127.0.0.1:8080/model.gguf", "--sha256", HEX, "--name", "bench"};
        CliRun fast = CliRun.of(home, args);
        CliRun ordinary = ordinary(args);

        assertThat(daemon.requests).hasSize(2).allMatch(r -> r.startsWith("POST /v1/models/pull HTTP/1.1 {"));
        assertThat(daemon.requests.get(0)).isEqualTo(daemon.requests.get(1)); // the same request, byte for byte
        assertThat(fast.exit()).isZero().isEqualTo(ordinary.exit());
        assertThat(fast.out()).isEqualTo(ordinary.out()).contains("resolved").contains("published")
                .endsWith("added bench:latest (1.0 GiB, 1.0 GiB downloaded)\n");
        assertThat(fast.err()).isEqualTo(ordinary.err());
    }

    @Test
    void aLocalFileIsSentAsAnAbsolutePathLikeTheOrdinaryPathDoes() throws Exception {
        daemon = new CannedDaemon(home, List.of(result("local:latest", 10, 0)));
        Path file = Files.writeString(home.resolve("model.gguf"), "GGUF");
        String relative = Path.of("").toAbsolutePath().relativize(file).toString();
        CliRun fast = CliRun.of(home, "models", "add", "--allow-http", relative);
        CliRun ordinary = ordinary("models", "add", "--allow-http", relative);

        assertThat(daemon.requests).hasSize(2);
        assertThat(daemon.requests.get(0)).isEqualTo(daemon.requests.get(1)).contains("\"ref\":\"" + file + "\"");
        assertThat(fast.out()).isEqualTo(ordinary.out()).isEqualTo("added local:latest (10 B, 0 B downloaded)\n");
    }

    @Test
    void aFailedPullReportsTheSameErrorAndExitCode() throws Exception {
        daemon = new CannedDaemon(home, List.of(new Dtos.Event("error", null, null, null, null, null, 0, 0, null,
                null, null, new ApiError(ErrorCode.FAILED, "digest mismatch for the model", List.of()), null)));
        String[] args = {"models", "add", "http://127.0.0.1:8080/model.gguf", "--sha256", HEX};
        CliRun fast = CliRun.of(home, args);
        CliRun ordinary = ordinary(args);

        assertThat(fast.exit()).isEqualTo(ordinary.exit()).isNotZero();
        assertThat(fast.out()).isEqualTo(ordinary.out());
        assertThat(fast.err()).isEqualTo(ordinary.err()).contains("digest mismatch");
    }

    @Test
    void otherFormsAreLeftToTheOrdinaryPath() throws Exception {
        daemon = new CannedDaemon(home, List.of(result("x:latest", 1, 1)));
        for (List<String> args : List.of(List.of("models", "add"), List.of("models", "add", "--help"),
                List.of("models", "add", "a", "b"), List.of("models", "add", "a", "--sha256"),
                List.of("models", "add", "a", "--sha256=" + HEX), List.of("models", "add", "a", "--name", "n",
                        "--name", "m"), List.of("models", "add", "a", "--unknown"))) {
            assertThat(FastPath.tryRun(args.toArray(String[]::new), System.out, System.err, () -> false,
                    Map.of(), io.aixcl.api.AixclPaths.fromEnvironment(Map.of("AIXCL_HOME", home.toString()), 0)))
                    .as("%s", args).isEmpty();
        }
        assertThat(daemon.requests).isEmpty();
    }

    @Test
    void theRequestIsWrittenAsJacksonWritesIt() throws Exception {
        for (String s : List.of("plain", "with \"quotes\" and \\ back", "tab\tnew\nline\r\u0001\u001f",
                "ünïcødé ✓ /slashes/")) {
            assertThat(FastPath.modelPullRequest(s, s, s, true))
                    .isEqualTo(Json.MAPPER.writeValueAsString(new Dtos.ModelPull(s, s, s, true)));
        }
        assertThat(FastPath.modelPullRequest("r", null, null, false))
                .isEqualTo(Json.MAPPER.writeValueAsString(new Dtos.ModelPull("r", null, null, false)));
    }
}
