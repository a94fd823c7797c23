package io.aixcl.engine.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.InferenceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Streaming JSON on one shared, thread-safe factory: no object mapper and no tree on the per-request path. */
final class Json {

    static final JsonFactory FACTORY = JsonFactory.builder().build();
    // One builder per thread, reused (the loops write every upstream request): a new one per request started small,
    // grew by a 1,000-byte block and was copied out.
    private static final ThreadLocal<ByteArrayBuilder> OUT = ThreadLocal.withInitial(() -> new ByteArrayBuilder(2048));

    /** Longest upstream text quoted in an error message. */
    private static final int QUOTE_LIMIT = 300;

    private Json() {
    }

    @FunctionalInterface
    interface Writer {
        void write(JsonGenerator json) throws IOException;
    }

    /** One JSON document written by {@code writer}, as UTF-8 bytes. */
    static byte[] write(Writer writer) {
        ByteArrayBuilder reused = OUT.get();
        ByteArrayBuilder out = reused.size() == 0 ? reused : new ByteArrayBuilder(1024);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            writer.write(json);
            json.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        } finally {
            out.reset(); // keeps its current block for the next request
        }
    }

    /** {@code "messages":[{"role":"user","content":..},..]}, as both upstream APIs take a chat. */
    static void writeMessages(JsonGenerator json, List<ChatMessage> messages) throws IOException {
        json.writeArrayFieldStart("messages");
        for (ChatMessage m : messages) {
            json.writeStartObject();
            json.writeStringField("role", m.role().name().toLowerCase(Locale.ROOT));
            json.writeStringField("content", m.content());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    /** {@code "field":[..]}, left out when {@code values} is empty. */
    static void writeStrings(JsonGenerator json, String field, List<String> values) throws IOException {
        if (values.isEmpty()) {
            return;
        }
        json.writeArrayFieldStart(field);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    /** A parser fed documents one after another ({@link com.fasterxml.jackson.core.async.ByteArrayFeeder}). */
    static JsonParser nonBlockingParser() {
        try {
            return FACTORY.createNonBlockingByteArrayParser();
        } catch (IOException e) {
            throw new UncheckedIOException("creating a JSON parser failed", e);
        }
    }

    static JsonParser parser(byte[] bytes, int offset, int length) throws IOException {
        return FACTORY.createParser(bytes, offset, length);
    }

    /** Moves to the object's first token, failing precisely when the document is not an object. */
    static void expectObject(JsonParser json, String what) throws IOException {
        if (json.nextToken() != JsonToken.START_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(json, what + " is not a JSON object");
        }
    }

    /** The value as text when it is a string (or null), skipping anything else. */
    static String text(JsonParser json) throws IOException {
        JsonToken token = json.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            return json.getText();
        }
        json.skipChildren();
        return null;
    }

    /** The value as an int when it is a number, else {@code fallback} (anything else is skipped). */
    static int integer(JsonParser json, int fallback) throws IOException {
        if (json.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            return json.getIntValue();
        }
        json.skipChildren();
        return fallback;
    }

    static long longInteger(JsonParser json, long fallback) throws IOException {
        if (json.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            return json.getLongValue();
        }
        json.skipChildren();
        return fallback;
    }

    /**
     * What an error body says, in every shape seen upstream: OpenAI and llama.cpp
     * {@code {"error":{"message":...}}}, vLLM {@code {"object":"error","message":...}}, Ollama {@code {"error":"..."}};
     * else the body itself, shortened.
     */
    static String errorMessage(byte[] body, int length) {
        return errorMessage(body, 0, length);
    }

    static String errorMessage(byte[] body, int offset, int length) {
        return parseErrorMessage(body, offset, length)
                .orElseGet(() -> quote(new String(body, offset, length, StandardCharsets.UTF_8)));
    }

    private static Optional<String> parseErrorMessage(byte[] body, int offset, int length) {
        try (JsonParser json = parser(body, offset, length)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            String message = null;
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "error" -> {
                        String nested = json.currentToken() == JsonToken.START_OBJECT
                                ? stringField(json, "message") : text(json);
                        if (nested != null) {
                            return Optional.of(quote(nested));
                        }
                    }
                    case "message", "detail" -> message = text(json);
                    default -> json.skipChildren();
                }
            }
            return Optional.ofNullable(message).map(Json::quote);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The string field {@code name} of the object the parser is at (null when absent or not a string, or when the
     * value is not an object); leaves the parser after the value.
     */
    static String stringField(JsonParser json, String name) throws IOException {
        if (json.currentToken() != JsonToken.START_OBJECT) {
            json.skipChildren();
            return null;
        }
        String value = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            if (field.equals(name)) {
                value = text(json);
            } else {
                json.skipChildren();
            }
        }
        return value;
    }

    /** Upstream text made safe for one log line: control characters out, length capped. */
    static String quote(String text) {
        String flat = text.strip().replaceAll("\\p{Cntrl}+", " ");
        return flat.length() <= QUOTE_LIMIT ? flat : flat.substring(0, QUOTE_LIMIT) + "...";
    }

    /** A malformed upstream document: the engine answered, but not in its protocol. */
    static InferenceException malformed(String what, IOException cause) {
        return new InferenceException.EngineUnavailable(
                "the upstream sent malformed " + what + ": "
                        + (cause instanceof JsonProcessingException j ? j.getOriginalMessage() : cause.getMessage()),
                cause);
    }
}
