package io.aixcl.engine.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.transport.DockerHttpClient;
import io.aixcl.core.AixclException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The first exchange with an engine, on raw unversioned paths: which engine it is, which API version to speak
 * (never hard-coded), and whether it runs rootless.
 */
final class EngineHandshake {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(ServerVersion server, ApiVersion apiVersion, boolean rootless) {}

    private EngineHandshake() {}

    static Result perform(DockerHttpClient http) {
        ServerVersion server = ServerVersion.parse(get(http, "/version"));
        ApiVersion api = ApiVersionNegotiation.negotiate(server.apiVersion(), server.minApiVersion());
        return new Result(server, api, rootless(http, server, api));
    }

    private static boolean rootless(DockerHttpClient http, ServerVersion server, ApiVersion api) {
        if (server.isPodman()) {
            // libpod paths exist only with Podman's own version prefix.
            JsonNode info = get(http, "/v" + server.podmanApiVersion().orElseThrow() + "/libpod/info");
            return info.path("host").path("security").path("rootless").asBoolean(false);
        }
        for (JsonNode option : get(http, "/v" + api + "/info").path("SecurityOptions")) {
            if (option.asText().contains("rootless")) {
                return true;
            }
        }
        return false;
    }

    static JsonNode get(DockerHttpClient http, String path) {
        var request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET).path(path).build();
        try (var response = http.execute(request)) {
            if (response.getStatusCode() != 200) {
                throw new AixclException.EngineUnavailable("the engine answered " + path + " with HTTP "
                        + response.getStatusCode() + "; is this a Docker-compatible API socket?", null);
            }
            return JSON.readTree(response.getBody());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
