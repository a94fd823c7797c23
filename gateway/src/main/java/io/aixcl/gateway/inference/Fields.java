package io.aixcl.gateway.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Typed reads of request fields with OpenAI-like messages that name the field ({@code param}). A field present with
 * JSON null counts as absent, as both protocols' clients send nulls for unset options.
 */
public final class Fields {

    private Fields() {
    }

    public static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    public static String requiredString(JsonNode parent, String name, String param) {
        JsonNode node = parent.get(name);
        if (absent(node)) {
            throw ApiError.invalid(param, "'" + param + "' is required").failure();
        }
        return string(node, param);
    }

    public static String string(JsonNode node, String param) {
        if (!node.isTextual()) {
            throw typeError(param, "a string", node);
        }
        return node.textValue();
    }

    public static String optionalString(JsonNode parent, String name, String param, String fallback) {
        JsonNode node = parent.get(name);
        return absent(node) ? fallback : string(node, param);
    }

    public static boolean optionalBoolean(JsonNode parent, String name, String param, boolean fallback) {
        JsonNode node = parent.get(name);
        if (absent(node)) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw typeError(param, "a boolean", node);
        }
        return node.booleanValue();
    }

    public static OptionalDouble optionalNumber(JsonNode parent, String name, String param) {
        JsonNode node = parent.get(name);
        if (absent(node)) {
            return OptionalDouble.empty();
        }
        if (!node.isNumber()) {
            throw typeError(param, "a number", node);
        }
        return OptionalDouble.of(node.doubleValue());
    }

    /** An integer (a float with no fraction, such as {@code 16.0}, is accepted, as Python clients send them). */
    public static OptionalLong optionalInteger(JsonNode parent, String name, String param) {
        JsonNode node = parent.get(name);
        if (absent(node)) {
            return OptionalLong.empty();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return OptionalLong.of(node.longValue());
        }
        if (node.isFloatingPointNumber() && node.doubleValue() == Math.rint(node.doubleValue())
                && Math.abs(node.doubleValue()) < 1e15) {
            return OptionalLong.of((long) node.doubleValue());
        }
        throw typeError(param, "an integer", node);
    }

    /** A string or an array of strings (stop sequences, embedding inputs); empty when absent. */
    public static List<String> stringOrStrings(JsonNode parent, String name, String param) {
        JsonNode node = parent.get(name);
        if (absent(node)) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.textValue());
        }
        if (!node.isArray()) {
            throw typeError(param, "a string or an array of strings", node);
        }
        List<String> values = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw typeError(param + "[" + i + "]", "a string", item);
            }
            values.add(item.textValue());
        }
        return values;
    }

    public static ApiError.ApiFailure typeError(String param, String expected, JsonNode got) {
        return ApiError.invalid(param, "invalid type for '" + param + "': expected " + expected + ", but got "
                + describe(got) + " instead").failure();
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "something else";
        };
    }
}
