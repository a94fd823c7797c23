package io.aixcl.engine.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.aixcl.core.AixclException;
import java.io.IOException;
import java.nio.file.Path;

/** Translates docker-java's failures into the port's, in one place. */
final class EngineErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;

    EngineErrors(Path socket) {
        this.socket = socket;
    }

    /** @param what the operation and its subject, for example "start container web" */
    AixclException translate(Throwable e, String what) {
        return switch (e) {
            case AixclException a -> a;
            case NotFoundException n -> new AixclException.NotFound(what + ": " + engineMessage(n));
            case ConflictException c -> new AixclException.Conflict(what + ": " + engineMessage(c));
            case DockerException d -> new AixclException.Failed(what + ": " + engineMessage(d), d);
            default -> isConnectionFailure(e)
                    ? new AixclException.EngineUnavailable(what + ": lost the engine at " + socket + " ("
                            + rootMessage(e) + "); check that it is still running (aixcl engine info)", e)
                    : new AixclException.Failed(what + ": " + rootMessage(e), e);
        };
    }

    /** The engine's own error text, without docker-java's "Status 404: {...}" wrapping. */
    static String engineMessage(DockerException e) {
        String text = e.getMessage() == null ? "" : e.getMessage();
        int brace = text.indexOf('{');
        if (brace >= 0) {
            try {
                String message = JSON.readTree(text.substring(brace)).path("message").asText("");
                if (!message.isBlank()) {
                    return message;
                }
            } catch (IOException ignored) {
                // Not JSON after all; fall back to the whole text.
            }
        }
        return text.isBlank() ? "HTTP " + e.getHttpStatus() : text.strip();
    }

    static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
