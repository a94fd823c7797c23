package io.aixcl.gateway.http;

import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.ErrorKind;
import io.aixcl.gateway.ollama.OllamaRoutes;
import io.aixcl.gateway.openai.OpenAiRoutes;
import java.util.HashMap;
import java.util.Map;

/** The route table: exact paths in a map, one prefix ({@code /v1/models/}); no pattern matching per request. */
public final class Routes {

    static final String MODEL_PREFIX = "/v1/models/";

    /** What the found route was, and the path's trailing parameter. */
    public record Match(Route route, String pathParameter) { }

    private final Map<String, Route> byPath = new HashMap<>();
    private final Route model;

    public Routes(OpenAiRoutes openAi, OllamaRoutes ollama) {
        add("/v1/chat/completions", generation("inference.chat", Route.Protocol.OPENAI, openAi::chat));
        add("/v1/completions", generation("inference.completion", Route.Protocol.OPENAI, openAi::completion));
        add("/v1/embeddings", post("inference.embeddings", Route.Protocol.OPENAI, openAi::embeddings));
        add("/v1/models", get("inference.list", Route.Protocol.OPENAI, openAi::models));
        model = get("inference.show", Route.Protocol.OPENAI, openAi::model);

        add("/api/chat", generation("inference.chat", Route.Protocol.OLLAMA, ollama::chat));
        add("/api/generate", generation("inference.completion", Route.Protocol.OLLAMA, ollama::generate));
        add("/api/embed", post("inference.embeddings", Route.Protocol.OLLAMA, ollama::embed));
        add("/api/embeddings", post("inference.embeddings", Route.Protocol.OLLAMA, ollama::legacyEmbeddings));
        add("/api/tags", get("inference.list", Route.Protocol.OLLAMA, ollama::tags));
        add("/api/ps", get("inference.ps", Route.Protocol.OLLAMA, ollama::ps));
        add("/api/show", post("inference.show", Route.Protocol.OLLAMA, ollama::show));
        add("/api/version", get("inference.version", Route.Protocol.OLLAMA, ollama::version));

        // Models change only through the control plane: an inference key can never pull, delete or replace one.
        for (String change : new String[] {"pull", "push", "delete", "create", "copy"}) {
            String command = change.equals("pull") || change.equals("create") ? "add" : "remove";
            String hint = change.equals("push") || change.equals("copy") ? "" : " (aixcl models " + command + ")";
            ApiError refusal = new ApiError(ErrorKind.FORBIDDEN, "'" + change + "' is not available on the inference "
                    + "gateway: models are managed through the aixcl control plane" + hint, null, "control_plane_only",
                    java.util.Optional.empty());
            // Refused before the body is read or the key checked: nothing about the request matters.
            add("/api/" + change, new Route(null, "inference.model_change", Route.Protocol.OLLAMA, false, false,
                    call -> {
                        call.record().target(change);
                        throw refusal.failure();
                    }));
        }
    }

    /** The route for a path, or null when none serves it. */
    public Match find(String path) {
        Route route = byPath.get(path);
        if (route != null) {
            return new Match(route, "");
        }
        if (path.startsWith(MODEL_PREFIX) && path.length() > MODEL_PREFIX.length()) {
            return new Match(model, path.substring(MODEL_PREFIX.length()));
        }
        if (path.startsWith("/api/blobs/")) {
            return byPath.get("/api/create") == null ? null : new Match(byPath.get("/api/create"), "");
        }
        return null;
    }

    private void add(String path, Route route) {
        byPath.put(path, route);
    }

    private static Route post(String action, Route.Protocol protocol, Route.Handler handler) {
        return new Route("POST", action, protocol, true, false, handler);
    }

    /** A generation: served on the I/O thread that read it (see {@link Route#onIoThread}). */
    private static Route generation(String action, Route.Protocol protocol, Route.Handler handler) {
        return new Route("POST", action, protocol, true, true, handler);
    }

    private static Route get(String action, Route.Protocol protocol, Route.Handler handler) {
        return new Route("GET", action, protocol, false, false, handler);
    }
}
