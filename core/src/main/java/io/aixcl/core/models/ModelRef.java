package io.aixcl.core.models;

import io.aixcl.core.AixclException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a user asked to add: a registry name ({@code qwen2.5-coder:0.5b}, {@code namespace/model:tag}), a Hugging
 * Face GGUF file ({@code hf:org/repo/file.gguf}), an http(s) URL, or a local file (an absolute path). Parsing only
 * checks the text; which hosts and schemes may be contacted is the puller's policy.
 */
public sealed interface ModelRef {

    /** The name the model is stored under unless the user gives another. */
    ModelName defaultName();

    record Registry(ModelName name) implements ModelRef {
        public Registry {
            java.util.Objects.requireNonNull(name, "name is null");
        }

        @Override
        public ModelName defaultName() {
            return name;
        }
    }

    /** A file in a Hugging Face model repository; {@code file} may sit in folders ({@code sub/x.gguf}). */
    record HuggingFace(String org, String repo, String file) implements ModelRef {
        public static final String REGISTRY = "hf.co";

        public HuggingFace {
            if (org == null || !HF_PART.matcher(org).matches() || repo == null || !HF_PART.matcher(repo).matches()) {
                throw new AixclException.InvalidInput("invalid Hugging Face repository '" + org + "/" + repo
                        + "': use letters, digits, '.', '_' and '-', at most 96 characters each");
            }
            checkHfFile(file);
        }

        @Override
        public ModelName defaultName() {
            return new ModelName(REGISTRY, org, repo, tagFromFileName(file));
        }
    }

    /** A model file at an http(s) URL; it must come with an expected sha256 when pulled. */
    record Url(URI uri) implements ModelRef {
        public Url {
            checkUrl(uri);
        }

        @Override
        public ModelName defaultName() {
            String host = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + "-" + uri.getPort();
            return new ModelName(sanitize(host.replace(':', '-'), 253), "files", tagFromFileName(lastSegment(uri.getPath())), "latest");
        }
    }

    /** A model file already on this machine. */
    record LocalFile(Path path) implements ModelRef {
        public LocalFile {
            if (path == null || !path.isAbsolute()) {
                throw new AixclException.InvalidInput("local model file '" + path + "' must be an absolute path");
            }
            if (!path.normalize().equals(path)) {
                throw new AixclException.InvalidInput("local model file '" + path + "' must be a normalized path (no '.' or '..' segments)");
            }
        }

        @Override
        public ModelName defaultName() {
            return new ModelName("local", "files", tagFromFileName(path.getFileName() == null ? "model" : path.getFileName().toString()), "latest");
        }
    }

    /**
     * {@code hf:org/repo/file.gguf}, {@code https://...} or {@code http://...}, an absolute path, or else a
     * registry name. A relative path is refused rather than guessed: the caller (the CLI) resolves it first.
     */
    static ModelRef parse(String text) {
        if (text == null || text.isBlank()) {
            throw new AixclException.InvalidInput("empty model reference");
        }
        if (text.length() > MAX_LENGTH) {
            throw new AixclException.InvalidInput("model reference longer than " + MAX_LENGTH + " characters");
        }
        String t = text.strip();
        if (t.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new AixclException.InvalidInput("model reference contains control characters");
        }
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.startsWith("hf:")) {
            String[] parts = t.substring(3).split("/", 3);
            if (parts.length < 3) {
                throw new AixclException.InvalidInput("invalid Hugging Face reference '" + Digest.clip(t)
                        + "': expected hf:org/repo/file.gguf");
            }
            return new HuggingFace(parts[0], parts[1], parts[2]);
        }
        if (lower.startsWith("https://") || lower.startsWith("http://")) {
            try {
                return new Url(new URI(t));
            } catch (URISyntaxException e) {
                throw new AixclException.InvalidInput("invalid URL '" + Digest.clip(t) + "': " + e.getReason());
            }
        }
        if (lower.contains("://")) {
            throw new AixclException.InvalidInput("unsupported URL scheme in '" + Digest.clip(t) + "': use https://");
        }
        if (t.startsWith("/")) {
            return new LocalFile(Path.of(t));
        }
        if (t.startsWith("./") || t.startsWith("../") || t.startsWith("~")) {
            throw new AixclException.InvalidInput("local model file '" + Digest.clip(t) + "' must be an absolute path");
        }
        return new Registry(ModelName.parse(t));
    }

    int MAX_LENGTH = 2048;
    Pattern HF_PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
    Pattern HF_SEGMENT = Pattern.compile("[A-Za-z0-9_+][A-Za-z0-9._+-]{0,199}");

    private static void checkHfFile(String file) {
        if (file == null || file.isEmpty()) {
            throw new AixclException.InvalidInput("empty Hugging Face file name: expected hf:org/repo/file.gguf");
        }
        String[] segments = file.split("/", -1);
        if (segments.length > 8) {
            throw new AixclException.InvalidInput("Hugging Face file path '" + Digest.clip(file) + "' is nested too deeply");
        }
        for (String s : segments) {
            if (!HF_SEGMENT.matcher(s).matches() || s.contains("..")) {
                throw new AixclException.InvalidInput("invalid Hugging Face file path '" + Digest.clip(file)
                        + "': each segment uses letters, digits, '.', '_', '+' and '-', no '..' and no leading '.'");
            }
        }
        if (!file.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            throw new AixclException.InvalidInput("Hugging Face file '" + Digest.clip(file) + "' is not a .gguf file");
        }
    }

    private static void checkUrl(URI uri) {
        if (uri == null) {
            throw new AixclException.InvalidInput("missing URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new AixclException.InvalidInput("unsupported URL scheme '" + scheme + "' in " + Digest.clip(uri.toString()) + ": use https://");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new AixclException.InvalidInput("URL " + Digest.clip(uri.toString()) + " has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new AixclException.InvalidInput("URL " + Digest.clip(uri.getHost()) + " carries credentials; they are refused (they would leak into logs)");
        }
        if (uri.getRawFragment() != null) {
            throw new AixclException.InvalidInput("URL " + Digest.clip(uri.toString()) + " has a fragment");
        }
    }

    private static String lastSegment(String path) {
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            return "model";
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** A file name as a tag or name part: the extension dropped, other characters replaced, bounded. */
    private static String tagFromFileName(String file) {
        String base = file.substring(file.lastIndexOf('/') + 1);
        if (base.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            base = base.substring(0, base.length() - 5);
        }
        return sanitize(base, 80);
    }

    private static String sanitize(String s, int max) {
        String out = s.replaceAll("[^a-zA-Z0-9._-]", "-");
        if (out.isEmpty() || !Character.isLetterOrDigit(out.charAt(0)) && out.charAt(0) != '_') {
            out = "m" + out;
        }
        return out.length() > max ? out.substring(0, max) : out;
    }
}
