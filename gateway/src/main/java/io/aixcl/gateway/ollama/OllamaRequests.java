package io.aixcl.gateway.ollama;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Ollama request bodies to protocol-neutral requests. Options Ollama has and this gateway does not use are ignored, as Ollama ignores unknown ones. */
public final class OllamaRequests {

    private static final Sampling.Names NAMES = new Sampling.Names("options.temperature", "options.top_p",
            "options.num_predict", "options.stop", "options.seed");

    private final Sampling sampling;

    public OllamaRequests(Sampling sampling) {
        this.sampling = sampling;
    }

    /** A chat, or empty when it names no message: Ollama's way to just load the model. */
    public java.util.Optional<Generate> chat(ObjectNode body) {
        String model = model(body);
        refuseUnsupported(body);
        JsonNode messages = body.get("messages");
        if (absent(messages)) {
            return java.util.Optional.empty();
        }
        if (!messages.isArray()) {
            throw Fields.typeError("messages", "an array", messages);
        }
        if (messages.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<ChatMessage> chat = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            chat.add(message(messages.get(i), "messages[" + i + "]"));
        }
        return java.util.Optional.of(generate(body, model, new Prompt.Chat(chat)));
    }

    /**
     * A generation, or empty when the prompt is empty (Ollama loads the model and answers {@code done_reason: load}).
     * Without {@code raw}, the prompt goes through the model's chat template with the optional system message, as
     * Ollama does.
     */
    public java.util.Optional<Generate> generate(ObjectNode body) {
        String model = model(body);
        refuseUnsupported(body);
        if (!absent(body.get("images"))) {
            throw ApiError.invalid("images", "images are not supported").failure();
        }
        if (!absent(body.get("suffix"))) {
            throw ApiError.invalid("suffix", "'suffix' is not supported").failure();
        }
        String prompt = Fields.optionalString(body, "prompt", "prompt", "");
        if (prompt.isEmpty()) {
            return java.util.Optional.empty();
        }
        boolean raw = Fields.optionalBoolean(body, "raw", "raw", false);
        String system = Fields.optionalString(body, "system", "system", "");
        Prompt mapped;
        if (raw) {
            mapped = new Prompt.Text(prompt);
        } else if (system.isEmpty()) {
            mapped = Prompt.chat(ChatMessage.user(prompt));
        } else {
            mapped = Prompt.chat(ChatMessage.system(system), ChatMessage.user(prompt));
        }
        return java.util.Optional.of(generate(body, model, mapped));
    }

    /**
     * Whether a request with nothing to generate asks to free the model: {@code keep_alive} of 0 seconds, as a
     * number or a duration ({@code "0"}, {@code "0s"}, {@code "0m"}), which is how Ollama clients unload.
     */
    public static boolean unloads(ObjectNode body) {
        return KeepAlive.of(body).filter(Duration::isZero).isPresent();
    }

    public record EmbedInput(String model, List<String> inputs) { }

    /** {@code /api/embed}: {@code input} is a string or an array of strings. */
    public EmbedInput embed(ObjectNode body) {
        String model = model(body);
        if (absent(body.get("input"))) {
            throw ApiError.invalid("input", "'input' is required").failure();
        }
        return new EmbedInput(model, Fields.stringOrStrings(body, "input", "input"));
    }

    /** The legacy {@code /api/embeddings}: one {@code prompt}. */
    public EmbedInput legacyEmbed(ObjectNode body) {
        String model = model(body);
        return new EmbedInput(model, List.of(Fields.requiredString(body, "prompt", "prompt")));
    }

    /** {@code /api/show} names the model as {@code model}, or {@code name} in older clients. */
    public String show(ObjectNode body) {
        if (absent(body.get("model")) && !absent(body.get("name"))) {
            return nonEmpty(Fields.requiredString(body, "name", "name"), "name");
        }
        return model(body);
    }

    private Generate generate(ObjectNode body, String model, Prompt prompt) {
        boolean stream = Fields.optionalBoolean(body, "stream", "stream", true);
        JsonNode options = body.get("options");
        if (absent(options)) {
            options = body.objectNode();
        } else if (!options.isObject()) {
            throw Fields.typeError("options", "an object", options);
        }
        OptionalLong numPredict = Fields.optionalInteger(options, "num_predict", "options.num_predict");
        if (numPredict.isPresent() && (numPredict.getAsLong() == -1 || numPredict.getAsLong() == -2)) {
            // -1 (no limit) and -2 (fill the context) are bounded here by the gateway's own default.
            numPredict = OptionalLong.empty();
        }
        SamplingParams params = sampling.params(Fields.optionalNumber(options, "temperature", "options.temperature"),
                0.8, Fields.optionalNumber(options, "top_p", "options.top_p"), 0.9, numPredict,
                Fields.stringOrStrings(options, "stop", "options.stop"),
                Fields.optionalInteger(options, "seed", "options.seed"), NAMES);
        return new Generate(model, prompt, params, stream, false, KeepAlive.of(body));
    }

    static String model(ObjectNode body) {
        return nonEmpty(Fields.requiredString(body, "model", "model"), "model");
    }

    private static String nonEmpty(String value, String param) {
        if (value.isEmpty()) {
            throw ApiError.invalid(param, "'" + param + "' must not be empty").failure();
        }
        return value;
    }

    private static void refuseUnsupported(ObjectNode body) {
        JsonNode format = body.get("format");
        if (!absent(format) && !(format.isTextual() && format.textValue().isEmpty())) {
            throw ApiError.invalid("format", "structured output ('format') is not supported").failure();
        }
        JsonNode tools = body.get("tools");
        if (!absent(tools) && !(tools.isArray() && tools.isEmpty())) {
            throw ApiError.invalid("tools", "'tools' are not supported: this gateway does not call tools").failure();
        }
    }

    private static ChatMessage message(JsonNode node, String param) {
        if (!node.isObject()) {
            throw Fields.typeError(param, "an object", node);
        }
        String role = Fields.requiredString(node, "role", param + ".role");
        ChatMessage.Role mapped = switch (role) {
            case "system" -> ChatMessage.Role.SYSTEM;
            case "user" -> ChatMessage.Role.USER;
            case "assistant" -> ChatMessage.Role.ASSISTANT;
            case "tool" -> throw ApiError.invalid(param + ".role",
                    "role 'tool' is not supported: this gateway does not call tools").failure();
            default -> throw ApiError.invalid(param + ".role", "invalid value for '" + param + ".role': '"
                    + (role.length() <= 40 ? role : role.substring(0, 40) + "…")
                    + "'; expected one of system, user, assistant").failure();
        };
        JsonNode images = node.get("images");
        if (!absent(images) && !(images.isArray() && images.isEmpty())) {
            throw ApiError.invalid(param + ".images", "images are not supported").failure();
        }
        return new ChatMessage(mapped, Fields.optionalString(node, "content", param + ".content", ""));
    }
}
