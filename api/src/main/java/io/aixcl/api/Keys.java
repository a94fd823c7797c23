package io.aixcl.api;

import java.util.List;

/** The gateway's inference keys (issued here, presented to the OpenAI/Ollama endpoint): routes and wire DTOs. */
public final class Keys {
    /** GET: list; POST: create. */
    public static final String PATH = "/v1/keys";
    /** GET, optional query {@code key} (an id or a name): usage of every key, or of that one. */
    public static final String USAGE = "/v1/keys/usage";
    /** POST {@code /v1/keys/{ref}/revoke}, ref an id or a name. */
    public static final String REVOKE = "/v1/keys/{ref}/revoke";

    public static String revokePath(String ref) {
        return PATH + "/" + java.net.URLEncoder.encode(ref, java.nio.charset.StandardCharsets.UTF_8) + "/revoke";
    }

    public static String usagePath(String ref) {
        return ref == null ? USAGE
                : USAGE + "?key=" + java.net.URLEncoder.encode(ref, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * {@code models}: exact model ids the key may use, null or empty for all. {@code rpm}, {@code tpm} (requests and
     * tokens per minute) and {@code budget} (tokens, ever): null for none. {@code expires}: a duration such as
     * {@code 30d}, or null for never. (Short field names: the audit log redacts any parameter named like a token.)
     */
    public record CreateRequest(String name, List<String> models, Integer rpm, Integer tpm, Long budget,
                                String expires) {}

    /** A key as listed: never the key itself. Times are ISO-8601, null when not set; a null limit is none. */
    public record KeyInfo(String id, String name, String state, List<String> models, Integer rpm, Integer tpm,
                          Long budget, String created, String expires, String revoked, String lastUsed) {}

    /** The answer to a create: the only time the key is ever shown. */
    public record Created(KeyInfo info, String key) {}

    /** Settled usage (flushed at most a second behind); {@code budgetLeft} null without a budget. */
    public record Usage(String id, String name, String state, long requests, long promptTokens,
                        long completionTokens, Long budget, Long budgetLeft, String lastUsed) {}

    private Keys() {}
}
