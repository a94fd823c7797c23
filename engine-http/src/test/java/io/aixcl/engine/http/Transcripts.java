package io.aixcl.engine.http;

import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Upstream answers shaped exactly like the real servers'. Sources: the OpenAI API reference ("The chat completion
 * chunk object", {@code stream_options.include_usage}: a last chunk with empty {@code choices} and the usage, then
 * {@code data: [DONE]}), which llama.cpp's server and vLLM follow field for field; vLLM's error object
 * ({@code {"object":"error","message":..,"type":..,"code":..}}); Ollama's docs/api.md ("Generate a chat
 * completion", streaming: NDJSON objects, the last with {@code done_reason} and the counts).
 */
final class Transcripts {

    private Transcripts() {
    }

    static String sse(String... events) {
        return Stream.of(events).map(e -> "data: " + e + "\n\n").collect(Collectors.joining());
    }

    static String chatChunk(String content) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"tiny\","
                + "\"system_fingerprint\":\"b6000-abc\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                + quoted(content) + "},\"logprobs\":null,\"finish_reason\":null}]}";
    }

    static final String CHAT_ROLE = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"tiny\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"logprobs\":null,\"finish_reason\":null}]}";

    static String chatFinish(String reason) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"tiny\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"" + reason + "\"}]}";
    }

    static String usage(int prompt, int completion) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"tiny\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + "}}";
    }

    static String textChunk(String text, String finish) {
        return "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\"tiny\","
                + "\"choices\":[{\"index\":0,\"text\":" + quoted(text) + ",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    static final String DONE = "[DONE]";

    /** A whole streamed chat: role, "Hello", " world", stop, usage 12 + 2, [DONE]. */
    static final String HELLO_WORLD_STREAM = sse(CHAT_ROLE, chatChunk("Hello"), chatChunk(" world"),
            chatFinish("stop"), usage(12, 2), DONE);

    static final String MODELS = "{\"object\":\"list\",\"data\":[{\"id\":\"tiny\",\"object\":\"model\","
            + "\"created\":1700000000,\"owned_by\":\"llamacpp\",\"meta\":{\"vocab_type\":1,\"n_vocab\":32000,"
            + "\"n_ctx_train\":4096,\"n_embd\":64,\"n_params\":1000000,\"size\":2000000}}]}";

    static String vllmError(int code, String message) {
        return "{\"object\":\"error\",\"message\":" + quoted(message) + ",\"type\":\"BadRequestError\",\"param\":null,"
                + "\"code\":" + code + "}";
    }

    static String openAiError(String message, String code) {
        return "{\"error\":{\"message\":" + quoted(message) + ",\"type\":\"invalid_request_error\",\"param\":null,"
                + "\"code\":\"" + code + "\"}}";
    }

    static String ollamaChat(String content) {
        return "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455-07:00\",\"message\":"
                + "{\"role\":\"assistant\",\"content\":" + quoted(content) + "},\"done\":false}\n";
    }

    static String ollamaChatDone(String reason, Integer promptEvalCount, int evalCount) {
        return "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T19:22:45.499127Z\",\"message\":{\"role\":"
                + "\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"" + reason + "\","
                + "\"total_duration\":4883583458,\"load_duration\":1334875,"
                + (promptEvalCount == null ? "" : "\"prompt_eval_count\":" + promptEvalCount + ",")
                + "\"prompt_eval_duration\":342546000,\"eval_count\":" + evalCount + ",\"eval_duration\":4535599000}\n";
    }

    static String ollamaGenerate(String response) {
        return "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T19:22:45.499127Z\",\"response\":"
                + quoted(response) + ",\"done\":false}\n";
    }

    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
