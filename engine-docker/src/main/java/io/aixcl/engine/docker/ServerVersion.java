package io.aixcl.engine.docker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What an engine's unversioned {@code GET /version} says about itself.
 *
 * @param podmanApiVersion Podman's own (libpod) API version, present only when the engine is Podman
 */
record ServerVersion(String engine, String version, ApiVersion apiVersion, ApiVersion minApiVersion,
        Optional<String> podmanApiVersion) {

    static ServerVersion parse(JsonNode json) {
        String version = json.path("Version").asText("unknown");
        ApiVersion api = ApiVersion.parse(json.path("ApiVersion").asText(null));
        // Old engines omit MinAPIVersion; 1.12 is what the Docker CLI assumes then.
        String min = json.path("MinAPIVersion").asText("1.12");
        Optional<String> podmanApi = Optional.empty();
        String engine = null;
        for (JsonNode component : json.path("Components")) {
            String name = component.path("Name").asText("");
            if (name.startsWith("Podman")) {
                engine = "Podman";
                podmanApi = Optional.of(component.path("Details").path("APIVersion").asText(version));
            }
        }
        if (engine == null) {
            String platform = json.path("Platform").path("Name").asText("");
            engine = platform.contains("Docker") || platform.isEmpty() ? "Docker" : platform;
        }
        return new ServerVersion(engine, version, api, ApiVersion.parse(min), podmanApi);
    }

    boolean isPodman() {
        return podmanApiVersion.isPresent();
    }
}
