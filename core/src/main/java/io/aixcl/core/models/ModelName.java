package io.aixcl.core.models;

import io.aixcl.core.AixclException;
import java.util.regex.Pattern;

/**
 * Where a model lives in the store: {@code manifests/<registry>/<namespace>/<name>/<tag>}. Every part becomes a
 * path segment, so each is validated strictly (Ollama's own grammar): no separators, no leading dot, bounded length.
 */
public record ModelName(String registry, String namespace, String name, String tag) {
    public static final String DEFAULT_REGISTRY = "registry.ollama.ai";
    public static final String DEFAULT_NAMESPACE = "library";
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern PART = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,79}");
    private static final Pattern HOST = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,252}(?::[0-9]{1,5})?");

    public ModelName {
        check("registry", registry, HOST);
        check("namespace", namespace, PART);
        check("model name", name, PART);
        check("tag", tag, PART);
    }

    /**
     * Parses {@code [registry/][namespace/]name[:tag]}. The first of three parts is always the registry; of two,
     * the first is a namespace (Ollama's reading: {@code library/x} and {@code user/x} are both namespaces).
     */
    public static ModelName parse(String text) {
        if (text == null || text.isBlank()) {
            throw new AixclException.InvalidInput("empty model name");
        }
        if (text.length() > 400) {
            throw new AixclException.InvalidInput("model name longer than 400 characters");
        }
        String rest = text.strip();
        String tag = DEFAULT_TAG;
        int slash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > slash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (tag.isEmpty()) {
                throw new AixclException.InvalidInput("invalid model name '" + text + "': empty tag after ':'");
            }
        }
        String[] parts = rest.split("/", -1);
        return switch (parts.length) {
            case 1 -> new ModelName(DEFAULT_REGISTRY, DEFAULT_NAMESPACE, parts[0], tag);
            case 2 -> new ModelName(DEFAULT_REGISTRY, parts[0], parts[1], tag);
            case 3 -> new ModelName(parts[0], parts[1], parts[2], tag);
            default -> throw new AixclException.InvalidInput("invalid model name '" + Digest.clip(text)
                    + "': expected [registry/][namespace/]name[:tag] (at most three '/'-separated parts)");
        };
    }

    /** The short form users type: {@code qwen2.5-coder:0.5b} for the default registry's library. */
    public String display() {
        if (registry.equals(DEFAULT_REGISTRY)) {
            return (namespace.equals(DEFAULT_NAMESPACE) ? "" : namespace + "/") + name + ":" + tag;
        }
        return registry + "/" + namespace + "/" + name + ":" + tag;
    }

    @Override
    public String toString() {
        return registry + "/" + namespace + "/" + name + ":" + tag;
    }

    private static void check(String what, String value, Pattern pattern) {
        if (value == null || value.isEmpty()) {
            throw new AixclException.InvalidInput("invalid model " + what + ": empty");
        }
        if (!pattern.matcher(value).matches()) {
            throw new AixclException.InvalidInput("invalid model " + what + " '" + Digest.clip(value) + "': "
                    + "use letters, digits, '.', '_' and '-', start with a letter, digit or '_', at most "
                    + (pattern == HOST ? "253" : "80") + " characters");
        }
    }
}
