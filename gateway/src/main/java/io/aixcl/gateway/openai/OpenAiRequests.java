package io.aixcl.gateway.openai;

import static io.aixcl.gateway.inference.Fields.absent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import io.aixcl.gateway.inference.ApiError;
import io.aixcl.gateway.inference.Fields;
import io.aixcl.gateway.inference.Generate;
import io.aixcl.gateway.inference.Sampling;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** OpenAI request bodies to protocol-neutral requests, with OpenAI's field names in every message. */
public final class OpenAiRequests {

    private static final Sampling.Names NAMES = new Sampling.Names("temperature", "top_p", "max_tokens", "stop", "seed");

    private final Sampling sampling;

    public OpenAiRequests(Sampling sampling) {
        this.sampling = sampling;
    }

    public Generate chat(ObjectNode body) {
        String model = model(body);
        refuseUnsupported(body);
        JsonNode messages = body.get("messages");
        if (absent(messages)) {
            throw ApiError.invalid("messages", "'messages' is required").failure();
        }
        if (!messages.isArray()) {
            throw Fields.typeError("messages", "an array", messages);
        }
        if (messages.isEmpty()) {
            throw ApiError.invalid("messages", "'messages' must contain at least one message").failure();
        }
        List<ChatMessage> chat = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            chat.add(message(messages.get(i), "messages[" + i + "]"));
        }
        return generate(body, model, new Prompt.Chat(chat), maxTokens(body));
    }

    public Generate completion(ObjectNode body) {
        String model = model(body);
        refuseUnsupported(body);
        if (Fields.optionalBoolean(body, "echo", "echo", false)) {
            throw ApiError.invalid("echo", "'echo' is not supported").failure();
        }
        if (!absent(body.get("suffix"))) {
            throw ApiError.invalid("suffix", "'suffix' is not supported").failure();
        }
        OptionalLong bestOf = Fields.optionalInteger(body, "best_of", "best_of");
        if (bestOf.isPresent() && bestOf.getAsLong() != 1) {
            throw ApiError.invalid("best_of", "only best_of=1 is supported").failure();
        }
        JsonNode prompt = body.get("prompt");
        if (absent(prompt)) {
            throw ApiError.invalid("prompt", "'prompt' is required").failure();
        }
        String text;
        if (prompt.isTextual()) {
            text = prompt.textValue();
        } else if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            text = prompt.get(0).textValue();
        } else if (prompt.isArray() && prompt.size() > 1 && prompt.get(0).isTextual()) {
            throw ApiError.invalid("prompt", "one prompt per request is supported, got " + prompt.size()).failure();
        } else {
            throw Fields.typeError("prompt", "a string", prompt);
        }
        return generate(body, model, new Prompt.Text(text), Fields.optionalInteger(body, "max_tokens", "max_tokens"));
    }

    /** The model and inputs of {@code /v1/embeddings}; token arrays are not accepted. */
    public record EmbeddingInput(String model, List<String> inputs, boolean base64) { }

    public EmbeddingInput embeddings(ObjectNode body) {
        String model = model(body);
        if (absent(body.get("input"))) {
            throw ApiError.invalid("input", "'input' is required").failure();
        }
        List<String> inputs = Fields.stringOrStrings(body, "input", "input");
        String format = Fields.optionalString(body, "encoding_format", "encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiError.invalid("encoding_format", "'encoding_format' must be 'float' or 'base64', got '"
                    + format + "'").failure();
        }
        return new EmbeddingInput(model, inputs, format.equals("base64"));
    }

    private Generate generate(ObjectNode body, String model, Prompt prompt, OptionalLong maxTokens) {
        boolean stream = Fields.optionalBoolean(body, "stream", "stream", false);
        boolean includeUsage = false;
        JsonNode options = body.get("stream_options");
        if (!absent(options)) {
            if (!options.isObject()) {
                throw Fields.typeError("stream_options", "an object", options);
            }
            includeUsage = Fields.optionalBoolean(options, "include_usage", "stream_options.include_usage", false);
        }
        SamplingParams params = sampling.params(Fields.optionalNumber(body, "temperature", "temperature"), 1.0,
                Fields.optionalNumber(body, "top_p", "top_p"), 1.0, maxTokens,
                Fields.stringOrStrings(body, "stop", "stop"), Fields.optionalInteger(body, "seed", "seed"), NAMES);
        return new Generate(model, prompt, params, stream, includeUsage, java.util.Optional.empty());
    }

    private static OptionalLong maxTokens(ObjectNode body) {
        OptionalLong current = Fields.optionalInteger(body, "max_completion_tokens", "max_completion_tokens");
        return current.isPresent() ? current : Fields.optionalInteger(body, "max_tokens", "max_tokens");
    }

    static String model(ObjectNode body) {
        String model = Fields.requiredString(body, "model", "model");
        if (model.isEmpty()) {
            throw ApiError.invalid("model", "'model' must not be empty").failure();
        }
        return model;
    }

    private static void refuseUnsupported(ObjectNode body) {
        OptionalLong n = Fields.optionalInteger(body, "n", "n");
        if (n.isPresent() && n.getAsLong() != 1) {
            throw ApiError.invalid("n", "only n=1 is supported: one choice per request, got n=" + n.getAsLong())
                    .failure();
        }
        for (String field : new String[] {"tools", "functions"}) {
            JsonNode node = body.get(field);
            if (!absent(node) && !(node.isArray() && node.isEmpty())) {
                throw ApiError.invalid(field, "'" + field + "' are not supported: this gateway does not call tools")
                        .failure();
            }
        }
        if (Fields.optionalBoolean(body, "logprobs", "logprobs", false)) {
            throw ApiError.invalid("logprobs", "'logprobs' are not supported").failure();
        }
        JsonNode format = body.get("response_format");
        if (!absent(format)) {
            String type = format.isObject() ? Fields.optionalString(format, "type", "response_format.type", "text")
                    : null;
            if (!"text".equals(type)) {
                throw ApiError.invalid("response_format", "only response_format {\"type\": \"text\"} is supported")
                        .failure();
            }
        }
    }

    private static ChatMessage message(JsonNode node, String param) {
        if (!node.isObject()) {
            throw Fields.typeError(param, "an object", node);
        }
        String role = Fields.requiredString(node, "role", param + ".role");
        ChatMessage.Role mapped = switch (role) {
            case "system", "developer" -> ChatMessage.Role.SYSTEM;
            case "user" -> ChatMessage.Role.USER;
            case "assistant" -> ChatMessage.Role.ASSISTANT;
            case "tool", "function" -> throw ApiError.invalid(param + ".role", "role '" + role
                    + "' is not supported: this gateway does not call tools").failure();
            default -> throw ApiError.invalid(param + ".role", "invalid value for '" + param + ".role': '"
                    + truncate(role) + "'; expected one of system, developer, user, assistant").failure();
        };
        return new ChatMessage(mapped, content(node.get("content"), param + ".content", mapped));
    }

    /** A string, or text parts ({@code [{"type":"text","text":…}]}) joined; images are refused. */
    private static String content(JsonNode node, String param, ChatMessage.Role role) {
        if (absent(node)) {
            if (role == ChatMessage.Role.ASSISTANT) {
                return "";
            }
            throw ApiError.invalid(param, "'" + param + "' is required").failure();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (!node.isArray()) {
            throw Fields.typeError(param, "a string or an array of content parts", node);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < node.size(); i++) {
            JsonNode part = node.get(i);
            String partParam = param + "[" + i + "]";
            if (!part.isObject()) {
                throw Fields.typeError(partParam, "an object", part);
            }
            String type = Fields.requiredString(part, "type", partParam + ".type");
            if (!type.equals("text")) {
                throw ApiError.invalid(partParam + ".type", "content parts of type '" + truncate(type)
                        + "' are not supported; only 'text'").failure();
            }
            text.append(Fields.requiredString(part, "text", partParam + ".text"));
        }
        return text.toString();
    }

    /** Enumerated values are echoed in errors; a long one is cut so an error stays an error. */
    static String truncate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "…";
    }
}
