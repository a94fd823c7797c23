package io.aixcl.gateway.ollama;

import com.fasterxml.jackson.core.JsonGenerator;
import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.Json;
import java.io.IOException;

/** {@code {"error":"…"}}, as Ollama answers. */
public final class OllamaErrors {

    private OllamaErrors() {
    }

    public static byte[] body(ApiError error) {
        return Json.write(json -> write(json, error));
    }

    static void write(JsonGenerator json, ApiError error) throws IOException {
        json.writeStartObject();
        json.writeStringField("error", error.message());
        json.writeEndObject();
    }
}
