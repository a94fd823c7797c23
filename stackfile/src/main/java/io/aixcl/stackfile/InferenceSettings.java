package io.aixcl.stackfile;

import io.aixcl.core.stack.Durations;
import io.aixcl.stackfile.Settings.Gateway;
import io.aixcl.stackfile.Settings.Inference;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads the {@code inference:} and {@code gateway:} sections of the settings, every problem with its line. */
final class InferenceSettings {
    private static final List<String> INFERENCE_KEYS = List.of("engine", "url", "api_key_file", "allow_insecure_http",
            "context", "concurrency", "queue", "keep_alive", "threads");
    private static final List<String> GATEWAY_KEYS = List.of("listen", "allow_remote", "allowed_hosts",
            "cors_origins");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private InferenceSettings() {}

    static Inference read(YamlReader r, Node v, Path configDir) {
        Map<String, YamlReader.Entry> m = r.mapping(v, "inference", INFERENCE_KEYS);
        Inference d = Inference.DEFAULT;
        if (m == null) {
            return d;
        }
        Inference.Engine engine = d.engine();
        if (m.containsKey("engine")) {
            engine = engine(r, m.get("engine").value());
        }
        boolean allowInsecure = m.containsKey("allow_insecure_http")
                && Boolean.TRUE.equals(r.bool(m.get("allow_insecure_http").value(), "inference.allow_insecure_http"));
        Optional<URI> url = Optional.empty();
        boolean takesUrl = engine == Inference.Engine.OPENAI || engine == Inference.Engine.OLLAMA;
        if (m.containsKey("url")) {
            Node n = m.get("url").value();
            if (!takesUrl) {
                r.problem(n, "inference.url", "a URL is for engine: openai (an OpenAI-compatible server) or engine: "
                        + "ollama (an Ollama server outside the stack); engine is " + engine.wireName());
            } else {
                url = url(r, n, allowInsecure);
            }
        } else if (engine == Inference.Engine.OPENAI) {
            r.problem(m.get("engine").value(), "inference.engine", "engine: openai needs inference.url, the "
                    + "server's OpenAI-compatible base URL (e.g. https://api.example.com/v1)");
        }
        Optional<Path> keyFile = Optional.empty();
        if (m.containsKey("api_key_file")) {
            Node n = m.get("api_key_file").value();
            if (engine == Inference.Engine.OPENAI || engine == Inference.Engine.OLLAMA && m.containsKey("url")) {
                keyFile = Optional.ofNullable(Settings.path(r, n, "inference.api_key_file", configDir));
            } else if (engine == Inference.Engine.OLLAMA) {
                // The stack's own Ollama container takes no key: a key file there would be sent nowhere.
                r.problem(n, "inference.api_key_file", "an API key file is for a server at inference.url; engine: "
                        + "ollama without a url is the stack's own container, which takes no key");
            } else {
                r.problem(n, "inference.api_key_file", "an API key file is for engine: openai, or engine: ollama "
                        + "with inference.url; engine is " + engine.wireName());
            }
        }
        int context = intOr(r, m, "context", 16, 1 << 20, d.contextTokens());
        int concurrency = intOr(r, m, "concurrency", 1, 64, d.concurrency());
        int queue = intOr(r, m, "queue", 0, 10_000, d.queue());
        Duration keepAlive = d.keepAlive();
        if (m.containsKey("keep_alive")) {
            keepAlive = keepAlive(r, m.get("keep_alive").value(), keepAlive);
        }
        java.util.OptionalInt threads = d.threads();
        if (m.containsKey("threads")) {
            Node n = m.get("threads").value();
            if (engine == Inference.Engine.OPENAI || engine == Inference.Engine.OLLAMA) {
                // Those engines compute elsewhere: a thread count here would be silently ignored.
                r.problem(n, "inference.threads", "threads is for the embedded engine (engine: embedded or auto); "
                        + "engine is " + engine.wireName());
            } else {
                Integer count = r.integer(n, "inference.threads", 1, 1024);
                if (count != null) {
                    threads = java.util.OptionalInt.of(count);
                }
            }
        }
        return new Inference(engine, url, keyFile, context, concurrency, queue, keepAlive, threads);
    }

    static Gateway gateway(YamlReader r, Node v) {
        Map<String, YamlReader.Entry> m = r.mapping(v, "gateway", GATEWAY_KEYS);
        Gateway d = Gateway.DEFAULT;
        if (m == null) {
            return d;
        }
        ListenAddress listen = d.listen();
        if (m.containsKey("listen")) {
            Node n = m.get("listen").value();
            String s = r.string(n, "gateway.listen");
            if (s != null) {
                StringBuilder why = new StringBuilder();
                Optional<ListenAddress> parsed = ListenAddress.parse(s, why);
                if (parsed.isEmpty()) {
                    r.problem(n, "gateway.listen", "invalid address " + YamlReader.quote(s) + ": " + why);
                } else {
                    listen = parsed.get();
                }
            }
        }
        boolean allowRemote = m.containsKey("allow_remote")
                && Boolean.TRUE.equals(r.bool(m.get("allow_remote").value(), "gateway.allow_remote"));
        if (!listen.isLoopback() && !allowRemote) {
            r.problem(m.get("listen").value(), "gateway.listen", listen + " is reachable from other machines: set "
                    + "gateway.allow_remote: true to mean it (every request then needs an API key), or listen on "
                    + "127.0.0.1");
        }
        List<String> hosts = List.of();
        if (m.containsKey("allowed_hosts")) {
            hosts = hosts(r, m.get("allowed_hosts").value());
        }
        List<String> origins = List.of();
        if (m.containsKey("cors_origins")) {
            origins = origins(r, m.get("cors_origins").value());
        }
        return new Gateway(listen, allowRemote, hosts, origins);
    }

    private static Inference.Engine engine(YamlReader r, Node n) {
        String s = r.string(n, "inference.engine");
        if (s == null) {
            return Inference.DEFAULT.engine();
        }
        return Arrays.stream(Inference.Engine.values()).filter(e -> e.wireName().equals(s)).findFirst()
                .orElseGet(() -> {
                    r.problem(n, "inference.engine", "unknown engine " + YamlReader.quote(s) + ": expected one of "
                            + String.join(", ", Arrays.stream(Inference.Engine.values())
                                    .map(Inference.Engine::wireName).toList()));
                    return Inference.DEFAULT.engine();
                });
    }

    /** An http(s) base URL without credentials, query or fragment; plain http only to this machine unless allowed. */
    private static Optional<URI> url(YamlReader r, Node n, boolean allowInsecure) {
        String field = "inference.url";
        String s = r.string(n, field);
        if (s == null) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            r.problem(n, field, "invalid URL " + YamlReader.quote(s) + ": " + e.getReason());
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            r.problem(n, field, "expected an http or https URL, found " + YamlReader.quote(s));
            return Optional.empty();
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            r.problem(n, field, "the URL has no host: " + YamlReader.quote(s));
            return Optional.empty();
        }
        if (uri.getRawUserInfo() != null) {
            // Not quoted back: the value holds a credential.
            r.problem(n, field, "the URL must not carry credentials: put the API key in a file and name the file as "
                    + "inference.api_key_file");
            return Optional.empty();
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            r.problem(n, field, "expected a base URL without query or fragment (e.g. https://api.example.com/v1), "
                    + "found " + YamlReader.quote(s));
            return Optional.empty();
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost()) && !allowInsecure) {
            r.problem(n, field, "plain http to " + uri.getHost() + " would send prompts and the API key unencrypted "
                    + "over the network: use https, or set inference.allow_insecure_http: true to mean it");
            return Optional.empty();
        }
        return Optional.of(uri);
    }

    /** Loopback by its literal or {@code localhost}: a name is not resolved, so DNS cannot change the verdict. */
    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!literal.matches("[0-9.]+") && !literal.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static Duration keepAlive(YamlReader r, Node n, Duration fallback) {
        String s = r.string(n, "inference.keep_alive");
        if (s == null) {
            return fallback;
        }
        if (s.equals("forever")) {
            return io.aixcl.core.inference.ModelSpec.KEEP_FOREVER;
        }
        Duration d = s.equals("0") ? Duration.ZERO : Durations.parse(s);
        if (d == null) {
            r.problem(n, "inference.keep_alive", "expected a duration (30s, 5m, 1h), 0 to free a model as soon as it "
                    + "idles, or forever; found " + YamlReader.quote(s));
            return fallback;
        }
        return d;
    }

    private static int intOr(YamlReader r, Map<String, YamlReader.Entry> m, String key, long min, long max,
                             int fallback) {
        if (!m.containsKey(key)) {
            return fallback;
        }
        Integer v = r.integer(m.get(key).value(), "inference." + key, min, max);
        return v == null ? fallback : v;
    }

    private static List<String> hosts(YamlReader r, Node n) {
        List<String> names = r.strings(n, "gateway.allowed_hosts");
        if (names == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String h : names) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (h.equals("*") || !HOST_NAME.matcher(lower).matches()) {
                r.problem(n, "gateway.allowed_hosts", "invalid host name " + YamlReader.quote(h) + ": expected a DNS "
                        + "name such as ai.lan (no port, no wildcard: each name is a deliberate exception to the "
                        + "DNS-rebinding check)");
            } else {
                out.add(lower);
            }
        }
        return out;
    }

    private static List<String> origins(YamlReader r, Node n) {
        List<String> values = r.strings(n, "gateway.cors_origins");
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String o : values) {
            Optional<String> why = originProblem(o);
            if (why.isPresent()) {
                r.problem(n, "gateway.cors_origins", "invalid origin " + YamlReader.quote(o) + ": " + why.get());
            } else {
                out.add(o.toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static Optional<String> originProblem(String o) {
        if (o.equals("*")) {
            return Optional.of("'*' would let every web page the user visits call the endpoint; list the origins");
        }
        try {
            URI u = new URI(o);
            boolean web = "http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme());
            if (!web || u.getHost() == null || u.getRawUserInfo() != null || (u.getRawPath() != null
                    && !u.getRawPath().isEmpty()) || u.getRawQuery() != null || u.getRawFragment() != null) {
                return Optional.of("expected scheme://host[:port], e.g. http://localhost:3000");
            }
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of("expected scheme://host[:port], e.g. http://localhost:3000");
        }
    }
}
