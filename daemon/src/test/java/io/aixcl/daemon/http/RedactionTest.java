package io.aixcl.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.api.Dtos;
import io.aixcl.core.AixclException;
import io.aixcl.core.secrets.Redactor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known secret values never leave the daemon in an answer, an error or a streamed event; except an explicit reveal. */
class RedactionTest {
    private static final String SECRET = "Zq8-pW_3kLm9aB2cXy7";

    @TempDir
    Path dir;
    private ApiServer server;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        Redactor redactor = new Redactor();
        redactor.learn(SECRET.toCharArray());
        socket = dir.resolve("api.sock");
        Router router = new Router()
                .get("/v1/answer", ex -> ex.ok(Map.of("detail", "password is " + SECRET)))
                .get("/v1/error", ex -> {
                    throw new AixclException.Unhealthy("db", "db failed with " + SECRET,
                            List.of("FATAL: password authentication failed for " + SECRET));
                })
                .get("/v1/stream", ex -> {
                    try (Exchange.EventStream s = ex.stream()) {
                        s.send(new Dtos.Event("log", "db", null, null, null, null, 0, 0, null, null,
                                new Dtos.LogLine("db", "stdout", null, "connecting with " + SECRET), null, null));
                    }
                })
                .post("/v1/reveal", ex -> ex.okRevealingSecret(new Dtos.SecretValue("x", SECRET)));
        server = new ApiServer(socket, router, new io.aixcl.daemon.access.AccessPolicy(System.getProperty("user.name"), java.util.Set.of(), java.util.Set.of()), (peer, method, path, reason) -> { }, ApiServer.ActionRecorder.NONE, redactor);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void answersErrorsAndStreamedLogLinesAreScrubbed() throws Exception {
        for (String path : List.of("/v1/answer", "/v1/error", "/v1/stream")) {
            RawHttp.Reply r = RawHttp.send(socket, "GET", path, null);
            assertThat(r.body()).as(path).doesNotContain(SECRET).contains(Redactor.MARK);
        }
    }

    @Test
    void onlyTheExplicitRevealCarriesTheValue() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "POST", "/v1/reveal", "{}");
        assertThat(r.body()).contains(SECRET);
    }
}
