package io.aixcl.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.ApiError;
import io.aixcl.api.Dtos;
import io.aixcl.api.ErrorCode;
import io.aixcl.api.Json;
import io.aixcl.core.AixclException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Jetty server on a temp Unix socket, spoken to with hand-written HTTP requests. */
class ApiServerTest {
    @TempDir
    Path dir;

    private Path socket;
    private ApiServer server;
    private final java.util.List<String> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static io.aixcl.daemon.access.AccessPolicy ownUserOnly() {
        return new io.aixcl.daemon.access.AccessPolicy(System.getProperty("user.name"), java.util.Set.of(),
                java.util.Set.of());
    }

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("api.sock");
        Router router = new Router()
                .get("/v1/hello/{name}", ex -> ex.ok(Map.of("hello", ex.pathParam("name"))))
                .post("/v1/echo", ex -> ex.ok(ex.body(Dtos.StackRequest.class)))
                .get("/v1/boom", ex -> {
                    throw new IllegalStateException("secret detail: password=hunter2 at /etc/shadow");
                })
                .get("/v1/missing", ex -> {
                    throw new AixclException.NotFound("no such thing 'x'");
                })
                .post("/v1/stream", ex -> {
                    try (Exchange.EventStream s = ex.stream()) {
                        s.send(Dtos.Event.step("db", "creating", null));
                    }
                });
        server = new ApiServer(socket, router, ownUserOnly(), (peer, method, path, reason) -> refusals.add(reason));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ApiError error(RawHttp.Reply r) throws Exception {
        assertThat(r.headers().get("content-type")).as(r.toString()).startsWith("application/json");
        return Json.MAPPER.readValue(r.body(), ApiError.class);
    }

    @Test
    void aRouteAnswersJsonWithItsPathParameter() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "GET", "/v1/hello/world", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(r.body()).get("hello").asText()).isEqualTo("world");
    }

    @Test
    void aJsonBodyIsReadIntoTheRequestRecord() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "POST", "/v1/echo", "{\"profile\":\"dev\",\"volumes\":true}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode echo = Json.MAPPER.readTree(r.body());
        assertThat(echo.get("profile").asText()).isEqualTo("dev");
        assertThat(echo.get("volumes").asBoolean()).isTrue();
    }

    @Test
    void anUnknownRouteIs404WithANotFoundError() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "GET", "/v1/nowhere", null);
        assertThat(r.status()).isEqualTo(404);
        ApiError e = error(r);
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e.message()).contains("/v1/nowhere");
    }

    @Test
    void aKnownPathWithTheWrongMethodIsAClientError() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "DELETE", "/v1/echo", null);
        assertThat(r.status()).isBetween(400, 499);
        ApiError e = error(r);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.message()).contains("DELETE").contains("/v1/echo");
    }

    @Test
    void aMalformedJsonBodyIs400InvalidInputWithoutAStackTrace() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "POST", "/v1/echo", "{\"profile\": dev");
        assertThat(r.status()).isEqualTo(400);
        ApiError e = error(r);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.message()).startsWith("malformed request body");
        assertThat(r.body()).doesNotContain("\tat ", "at com.fasterxml", "at io.aixcl", "Exception");
    }

    @Test
    void aJsonBodyOfTheWrongShapeIs400InvalidInput() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "POST", "/v1/echo", "[1, 2, 3]");
        assertThat(r.status()).isEqualTo(400);
        assertThat(error(r).code()).isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @Test
    void anUnexpectedExceptionInARouteIs500WithAGenericMessage() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "GET", "/v1/boom", null);
        assertThat(r.status()).isEqualTo(500);
        ApiError e = error(r);
        assertThat(e.code()).isEqualTo(ErrorCode.FAILED);
        assertThat(e.message()).contains("internal error").contains("daemon log");
        assertThat(r.body()).doesNotContain("hunter2", "/etc/shadow", "\tat ");
    }

    @Test
    void aDomainExceptionInARouteBecomesItsErrorCode() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "GET", "/v1/missing", null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(error(r)).isEqualTo(new ApiError(ErrorCode.NOT_FOUND, "no such thing 'x'", java.util.List.of()));
    }

    @Test
    void aStreamIsNewlineDelimitedJson() throws Exception {
        RawHttp.Reply r = RawHttp.send(socket, "POST", "/v1/stream", "{}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("content-type")).startsWith("application/x-ndjson");
        JsonNode first = Json.MAPPER.readTree(r.body().lines().findFirst().orElseThrow());
        assertThat(first.get("type").asText()).isEqualTo("step");
        assertThat(first.get("service").asText()).isEqualTo("db");
    }

    @Test
    void theSocketIsReadableAndWritableByItsOwnerOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
    }

    @Test
    void closingRemovesTheSocket() {
        server.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void aStaleSocketFileIsReplacedOnStart() throws Exception {
        server.close();
        Files.writeString(socket, "left by a crashed daemon");
        server = new ApiServer(socket, new Router().get("/v1/x", ex -> ex.ok(Map.of())), ownUserOnly(),
                (peer, method, path, reason) -> { });
        server.start();
        assertThat(RawHttp.send(socket, "GET", "/v1/x", null).status()).isEqualTo(200);
    }

    @Test
    void aPeerWhoseKernelCredentialsAreNotAllowedIsRefusedAndTheRefusalReported() throws Exception {
        server.close();
        var onlySomeoneElse = new io.aixcl.daemon.access.AccessPolicy("nobody-here", java.util.Set.of(),
                java.util.Set.of());
        server = new ApiServer(socket, new Router().get("/v1/x", ex -> ex.ok(Map.of())), onlySomeoneElse,
                (peer, method, path, reason) -> refusals.add(method + " " + path + " " + peer.orElseThrow().user()));
        server.start();
        RawHttp.Reply r = RawHttp.send(socket, "GET", "/v1/x", null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(error(r).code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(error(r).message()).contains("may not use this daemon");
        assertThat(refusals).containsExactly("GET /v1/x " + System.getProperty("user.name"));
    }

    @Test
    void anAllowedGroupSharesTheSocketAndItsFolderWithThatGroupOnly() throws Exception {
        server.close();
        String group = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        var withGroup = new io.aixcl.daemon.access.AccessPolicy(System.getProperty("user.name"), java.util.Set.of(),
                java.util.Set.of(group));
        server = new ApiServer(socket, new Router().get("/v1/x", ex -> ex.ok(Map.of())), withGroup,
                (peer, method, path, reason) -> { });
        server.start();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx--x---");
    }
}
