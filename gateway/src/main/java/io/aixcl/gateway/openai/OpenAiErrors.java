package io.aixcl.gateway.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.Json;
import java.io.IOException;

/** {@code {"error":{"message","type","param","code"}}}, as OpenAI answers. */
public final class OpenAiErrors {

    private OpenAiErrors() {
    }

    public static byte[] body(ApiError error) {
        return Json.write(json -> write(json, error));
    }

    static void write(JsonGenerator json, ApiError error) throws IOException {
        json.writeStartObject();
        json.writeObjectFieldStart("error");
        json.writeStringField("message", error.message());
        json.writeStringField("type", error.kind().openAiType());
        json.writeStringField("param", error.param());
        json.writeStringField("code", error.code());
        json.writeEndObject();
        json.writeEndObject();
    }
}
