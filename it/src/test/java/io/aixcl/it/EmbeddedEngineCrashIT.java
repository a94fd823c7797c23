package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.testing.TestImages.PodmanUser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded engine's worker killed with SIGKILL in the middle of a streamed request through the gateway: the
 * client gets an end to its stream (not a hang), the daemon stays up, the engine restarts, and the next requests
 * succeed.
 */
class EmbeddedEngineCrashIT {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Aixcl aixcl;

    @AfterEach
    void stop() {
        if (aixcl != null) {
            aixcl.run("daemon", "stop");
        }
    }

    @Test
    void aKilledEngineEndsTheStreamRestartsAndServesAgainWhileTheDaemonStaysUp() throws Exception {
        aixcl = new Aixcl(PodmanUser.root(), "engine-crash");
        int port = GatewayDaemon.embedded(aixcl, "", "tiny:1");
        String key = GatewayDaemon.createKey(aixcl, "--name", "crash");
        URI chat = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
        assertThat(chat(chat, key, 4).statusCode()).isEqualTo(200); // the model is loaded, the worker runs
        List<ProcessHandle> workers = workers();
        assertThat(workers).as("one worker process").hasSize(1);
        long daemonPid = workers.getFirst().parent().orElseThrow().pid();

        // A long stream; once its first tokens arrived, the worker dies.
        HttpRequest long_ = request(chat, key, 4000, true);
        HttpResponse<java.io.InputStream> streaming = http.send(long_, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(streaming.statusCode()).isEqualTo(200);
        BufferedReader lines = new BufferedReader(new InputStreamReader(streaming.body(), StandardCharsets.UTF_8));
        int seen = 0;
        String line;
        while (seen < 3 && (line = lines.readLine()) != null) {
            if (line.startsWith("data: {")) {
                seen++;
            }
        }
        assertThat(seen).as("tokens streamed before the kill").isEqualTo(3);
        workers.getFirst().destroyForcibly();
        CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
            StringBuilder all = new StringBuilder();
            try {
                String l;
                while ((l = lines.readLine()) != null) {
                    all.append(l).append('\n');
                }
            } catch (java.io.IOException e) {
                all.append("(connection ended: ").append(e.getMessage()).append(")");
            }
            return all.toString();
        });
        String tail = rest.get(30, TimeUnit.SECONDS); // the stream ends; it does not hang
        assertThat(tail).as("the stream says it failed, or the connection ends before [DONE]")
                .satisfiesAnyOf(t -> assertThat(t).contains("\"error\""), t -> assertThat(t).doesNotContain("[DONE]"));

        assertThat(ProcessHandle.of(daemonPid)).as("the daemon survives its engine").hasValueSatisfying(
                p -> assertThat(p.isAlive()).isTrue());
        assertThat(aixcl.run("daemon", "status").exit()).isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> after = chat(chat, key, 4);
        while (after.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            after = chat(chat, key, 4);
        }
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(after.body()).contains("chat.completion");
        assertThat(workers()).as("a new worker process").hasSize(1)
                .allSatisfy(p -> assertThat(p.pid()).isNotEqualTo(workers.getFirst().pid()));
        Aixcl.Run status = aixcl.run("stack", "status", "--json");
        assertThat(status.out()).as(status.toString()).contains("restarted 1 time");
    }

    private HttpResponse<String> chat(URI uri, String key, int maxTokens) throws Exception {
        return http.send(request(uri, key, maxTokens, false), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(URI uri, String key, int maxTokens, boolean stream) {
        String body = "{\"model\":\"tiny:1\",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell a long story\"}]}";
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private List<ProcessHandle> workers() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .filter(c -> c.contains("WorkerMain") && c.contains(aixcl.home.toString())).isPresent()).toList();
    }
}
