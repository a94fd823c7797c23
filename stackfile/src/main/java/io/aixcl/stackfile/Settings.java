package io.aixcl.stackfile;

import io.aixcl.core.stack.ServiceName;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The user's settings ({@code settings.yaml} in the config folder). Every key is optional:
 *
 * <pre>
 * version: 1
 * stack_name: aixcl            # prefix of container and volume names
 * default_profile: dev         # overrides the stack file's default profile
 * stack_file: stack.yaml       # relative to the config folder
 * engine:
 *   socket: /run/user/1000/podman/podman.sock   # skip auto-detection
 * access:                      # who else may use the daemon's socket (its own user always may)
 *   users: [alice]
 *   groups: [aixcl]            # the socket is then shared with the first group (0660)
 * state:                       # the daemon's state database (default: SQLite in the data folder)
 *   jdbc_url: jdbc:postgresql://127.0.0.1:5432/aixcl?user=aixcl
 *   password_file: /etc/aixcl/state-password     # never in the URL
 * listen:                      # optional TCP listener, TLS only, bearer tokens
 *   address: 127.0.0.1:8443
 *   allow_remote: false        # a non-loopback address needs this
 *   need_client_auth: false    # true: mutual TLS with client certificates from the local CA
 * inference:                   # the runtime core's engine; see {@link Inference}
 *   engine: auto               # auto | embedded | ollama | openai
 *   url: https://api.example.com/v1               # openai: an OpenAI-compatible base URL (required);
 *                              # ollama: an Ollama server outside the stack (default: the stack's container)
 *   api_key_file: /etc/aixcl/upstream-key         # with a url: the upstream's key, never in this file
 *   allow_insecure_http: false # plain http to a non-loopback url needs this
 *   context: 4096              # model defaults: context tokens, concurrent generations, queued requests,
 *   concurrency: 1             # and how long an idle model stays in memory (forever: never evicted)
 *   queue: 8
 *   keep_alive: 5m
 *   threads: 1                 # embedded engine: llama.cpp's CPU threads (default: every core)
 * gateway:                     # the OpenAI- and Ollama-compatible endpoint
 *   listen: 127.0.0.1:11434
 *   allow_remote: false        # a non-loopback address needs this
 *   allowed_hosts: [ai.lan]    # Host header names accepted beside the listen address and localhost
 *   cors_origins: [http://localhost:3000]         # browser origins allowed; none by default
 * </pre>
 */
public record Settings(String stackName, Optional<String> defaultProfile, Optional<Path> engineSocket,
                       Path stackFile, List<String> accessUsers, List<String> accessGroups, State state,
                       Listen listen, Inference inference, Gateway gateway) {

    /** {@code state:}: a PostgreSQL JDBC URL and the file holding its password; neither means SQLite. */
    public record State(Optional<String> jdbcUrl, Optional<Path> passwordFile) {
        public static final State SQLITE = new State(Optional.empty(), Optional.empty());
    }

    /** {@code listen:}: the TCP listener, off without an address. */
    public record Listen(Optional<ListenAddress> address, boolean allowRemote, boolean needClientAuth) {
        public static final Listen OFF = new Listen(Optional.empty(), false, false);
    }

    /**
     * {@code inference:}: which engine is the runtime core and the defaults a model is loaded with.
     *
     * @param url the upstream's base URL: the OpenAI-compatible server ({@code openai}, where it is required), or an
     *     Ollama server outside the stack ({@code ollama}; absent: the stack's own runtime container)
     * @param apiKeyFile the file holding the upstream's API key (only beside a url)
     * @param threads the CPU threads llama.cpp computes with on the embedded engine; absent: one per core (fewer
     *     leave cores to the daemon, its gateway's clients and everything else on the machine)
     */
    public record Inference(Engine engine, Optional<java.net.URI> url, Optional<Path> apiKeyFile, int contextTokens,
                            int concurrency, int queue, java.time.Duration keepAlive, java.util.OptionalInt threads) {
        public static final Inference DEFAULT = new Inference(Engine.AUTO, Optional.empty(), Optional.empty(), 4096, 1,
                8, java.time.Duration.ofMinutes(5));

        public Inference {
            Objects.requireNonNull(engine, "engine is null");
            Objects.requireNonNull(url, "url is null");
            Objects.requireNonNull(apiKeyFile, "apiKeyFile is null");
            Objects.requireNonNull(keepAlive, "keepAlive is null");
            Objects.requireNonNull(threads, "threads is null");
            if (threads.isPresent() && threads.getAsInt() < 1) {
                throw new IllegalArgumentException("threads < 1: " + threads.getAsInt());
            }
        }

        /** llama.cpp on every core. */
        public Inference(Engine engine, Optional<java.net.URI> url, Optional<Path> apiKeyFile, int contextTokens,
                         int concurrency, int queue, java.time.Duration keepAlive) {
            this(engine, url, apiKeyFile, contextTokens, concurrency, queue, keepAlive, java.util.OptionalInt.empty());
        }

        /** {@code inference.engine}. */
        public enum Engine {
            /** The container runtime (Ollama) when a container engine can run it, else embedded llama.cpp. */
            AUTO,
            /** llama.cpp in a supervised child process of the daemon; needs no container engine. */
            EMBEDDED,
            /** The stack's runtime container on the container engine, or the Ollama server at {@code inference.url}. */
            OLLAMA,
            /** An OpenAI-compatible server at {@code inference.url}. */
            OPENAI;

            public String wireName() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    /**
     * {@code gateway:}: the OpenAI- and Ollama-compatible endpoint (Ollama's well-known port, so clients work unchanged).
     *
     * @param allowedHosts Host header names accepted besides the listen address and {@code localhost}
     * @param corsOrigins browser origins ({@code scheme://host[:port]}) allowed to call it; none by default
     */
    public record Gateway(ListenAddress listen, boolean allowRemote, List<String> allowedHosts,
                          List<String> corsOrigins) {
        public static final Gateway DEFAULT = new Gateway(new ListenAddress("127.0.0.1", 11434), false, List.of(),
                List.of());

        public Gateway {
            Objects.requireNonNull(listen, "listen is null");
            allowedHosts = List.copyOf(allowedHosts);
            corsOrigins = List.copyOf(corsOrigins);
        }
    }

    public Settings(String stackName, Optional<String> defaultProfile, Optional<Path> engineSocket, Path stackFile,
                    List<String> accessUsers, List<String> accessGroups) {
        this(stackName, defaultProfile, engineSocket, stackFile, accessUsers, accessGroups, State.SQLITE, Listen.OFF);
    }

    public Settings(String stackName, Optional<String> defaultProfile, Optional<Path> engineSocket, Path stackFile,
                    List<String> accessUsers, List<String> accessGroups, State state, Listen listen) {
        this(stackName, defaultProfile, engineSocket, stackFile, accessUsers, accessGroups, state, listen,
                Inference.DEFAULT, Gateway.DEFAULT);
    }

    public static final String FILE_NAME = "settings.yaml";
    public static final String DEFAULT_STACK_FILE = "stack.yaml";

    private static final List<String> KEYS = List.of("version", "stack_name", "default_profile", "stack_file",
            "engine", "access", "state", "listen", "inference", "gateway");
    private static final List<String> STATE_KEYS = List.of("jdbc_url", "password_file");
    private static final List<String> LISTEN_KEYS = List.of("address", "allow_remote", "need_client_auth");
    private static final List<String> ENGINE_KEYS = List.of("socket");
    private static final List<String> ACCESS_KEYS = List.of("users", "groups");
    private static final java.util.regex.Pattern ACCOUNT = java.util.regex.Pattern.compile("[a-z_][a-z0-9_.-]{0,31}\\$?");

    public Settings {
        Objects.requireNonNull(stackName, "stackName is null");
        Objects.requireNonNull(defaultProfile, "defaultProfile is null");
        Objects.requireNonNull(engineSocket, "engineSocket is null");
        Objects.requireNonNull(stackFile, "stackFile is null");
        accessUsers = List.copyOf(accessUsers);
        accessGroups = List.copyOf(accessGroups);
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(listen, "listen is null");
        Objects.requireNonNull(inference, "inference is null");
        Objects.requireNonNull(gateway, "gateway is null");
    }

    public static Settings defaults(Path configDir) {
        return new Settings(StackAssembler.DEFAULT_STACK_NAME, Optional.empty(), Optional.empty(),
                configDir.resolve(DEFAULT_STACK_FILE), List.of(), List.of(), State.SQLITE, Listen.OFF, Inference.DEFAULT,
                Gateway.DEFAULT);
    }

    /** Reads {@code settingsFile}; a file that does not exist means all defaults. */
    public static Settings load(Path settingsFile) {
        Path configDir = settingsFile.toAbsolutePath().getParent();
        if (!Files.exists(settingsFile)) {
            return defaults(configDir);
        }
        String name = settingsFile.toString();
        return read(name, YamlSource.readText(settingsFile, name), configDir);
    }

    /** As {@link #load(Path)} for text; relative paths resolve against {@code configDir}. */
    public static Settings parse(String name, String yamlText, Path configDir) {
        return read(name, yamlText, configDir);
    }

    private static Settings read(String file, String text, Path configDir) {
        // A settings file with only comments is a normal way to start one.
        Optional<MappingNode> document = YamlSource.readOrEmpty(file, text);
        if (document.isEmpty()) {
            return defaults(configDir);
        }
        MappingNode root = document.get();
        Problems problems = new Problems();
        YamlReader r = new YamlReader(file, problems);
        Settings d = defaults(configDir);
        String stackName = d.stackName();
        Optional<String> defaultProfile = d.defaultProfile();
        Optional<Path> socket = d.engineSocket();
        Path stackFile = d.stackFile();
        List<String> users = List.of();
        List<String> groups = List.of();
        State state = State.SQLITE;
        Listen listen = Listen.OFF;
        Inference inference = Inference.DEFAULT;
        Gateway gateway = Gateway.DEFAULT;
        Map<String, YamlReader.Entry> top = r.mapping(root, "", KEYS);
        for (YamlReader.Entry e : top.values()) {
            Node v = e.value();
            switch (e.key()) {
                case "version" -> {
                    if (!"1".equals(YamlReader.isNull(v) ? null : r.string(v, "version"))) {
                        r.problem(v, "version", "unsupported version " + YamlReader.describe(v) + ": expected 1");
                    }
                }
                case "stack_name" -> {
                    String s = r.string(v, "stack_name");
                    if (s != null && !ServiceName.isValid(s)) {
                        r.problem(v, "stack_name", "invalid stack name " + YamlReader.quote(s) + ": expected "
                                + "lowercase letters, digits and '-', starting with a letter, at most 63 characters");
                    } else if (s != null) {
                        stackName = s;
                    }
                }
                case "default_profile" -> defaultProfile = Optional.ofNullable(
                        r.string(v, "default_profile", StackFileReader.PROFILE_NAME, "a profile name"));
                case "stack_file" -> {
                    Path p = path(r, v, "stack_file", configDir);
                    if (p != null) {
                        stackFile = p;
                    }
                }
                case "engine" -> {
                    Map<String, YamlReader.Entry> engine = r.mapping(v, "engine", ENGINE_KEYS);
                    if (engine != null && engine.containsKey("socket")) {
                        socket = Optional.ofNullable(socket(r, engine.get("socket").value()));
                    }
                }
                case "access" -> {
                    Map<String, YamlReader.Entry> access = r.mapping(v, "access", ACCESS_KEYS);
                    if (access != null && access.containsKey("users")) {
                        users = accounts(r, access.get("users").value(), "access.users");
                    }
                    if (access != null && access.containsKey("groups")) {
                        groups = accounts(r, access.get("groups").value(), "access.groups");
                    }
                }
                case "state" -> state = state(r, v, configDir);
                case "listen" -> listen = listen(r, v);
                case "inference" -> inference = InferenceSettings.read(r, v, configDir);
                case "gateway" -> gateway = InferenceSettings.gateway(r, v);
                default -> throw new IllegalStateException(e.key());
            }
        }
        problems.throwIfAny();
        return new Settings(stackName, defaultProfile, socket, stackFile, users, groups, state, listen, inference,
                gateway);
    }

    private static State state(YamlReader r, Node v, Path configDir) {
        Map<String, YamlReader.Entry> m = r.mapping(v, "state", STATE_KEYS);
        if (m == null) {
            return State.SQLITE;
        }
        Optional<String> url = Optional.empty();
        if (m.containsKey("jdbc_url")) {
            Node n = m.get("jdbc_url").value();
            String s = r.string(n, "state.jdbc_url");
            if (s != null && !s.startsWith("jdbc:postgresql://")) {
                r.problem(n, "state.jdbc_url", "expected a PostgreSQL JDBC URL (jdbc:postgresql://HOST:PORT/DATABASE"
                        + "?user=NAME); without one the state lives in SQLite in the data folder");
            } else if (s != null && s.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
                // Not quoted back: the value holds a password.
                r.problem(n, "state.jdbc_url", "the URL must not carry a password: put it in a file and name the "
                        + "file as state.password_file");
            } else {
                url = Optional.ofNullable(s);
            }
        }
        Optional<Path> passwordFile = Optional.empty();
        if (m.containsKey("password_file")) {
            passwordFile = Optional.ofNullable(path(r, m.get("password_file").value(), "state.password_file",
                    configDir));
            if (passwordFile.isPresent() && url.isEmpty() && !m.containsKey("jdbc_url")) {
                r.problem(m.get("password_file").value(), "state.password_file",
                        "a password file needs state.jdbc_url (SQLite has no password)");
            }
        }
        return new State(url, passwordFile);
    }

    private static Listen listen(YamlReader r, Node v) {
        Map<String, YamlReader.Entry> m = r.mapping(v, "listen", LISTEN_KEYS);
        if (m == null) {
            return Listen.OFF;
        }
        Optional<ListenAddress> address = Optional.empty();
        if (m.containsKey("address")) {
            Node n = m.get("address").value();
            String s = r.string(n, "listen.address");
            if (s != null) {
                StringBuilder why = new StringBuilder();
                address = ListenAddress.parse(s, why);
                if (address.isEmpty()) {
                    r.problem(n, "listen.address", "invalid address " + YamlReader.quote(s) + ": " + why);
                }
            }
        }
        boolean allowRemote = m.containsKey("allow_remote")
                && Boolean.TRUE.equals(r.bool(m.get("allow_remote").value(), "listen.allow_remote"));
        boolean needClientAuth = m.containsKey("need_client_auth")
                && Boolean.TRUE.equals(r.bool(m.get("need_client_auth").value(), "listen.need_client_auth"));
        if (address.isPresent() && !address.get().isLoopback() && !allowRemote) {
            r.problem(m.get("address").value(), "listen.address", address.get() + " is reachable from other "
                    + "machines: set listen.allow_remote: true to mean it, or listen on 127.0.0.1");
        }
        return new Listen(address, allowRemote, needClientAuth);
    }

    private static List<String> accounts(YamlReader r, Node v, String field) {
        List<String> names = r.strings(v, field);
        if (names == null) {
            return List.of();
        }
        for (String n : names) {
            if (!ACCOUNT.matcher(n).matches()) {
                r.problem(v, field, "invalid account name " + YamlReader.quote(n)
                        + ": expected a user or group name (lowercase letters, digits, '_', '-', '.')");
            }
        }
        return names;
    }

    private static Path socket(YamlReader r, Node v) {
        String field = "engine.socket";
        String s = r.string(v, field);
        if (s == null) {
            return null;
        }
        String path = s.startsWith("unix://") ? s.substring("unix://".length()) : s;
        if (s.contains("://") && !s.startsWith("unix://")) {
            r.problem(v, field, "expected a Unix socket path (or unix:///path): the engine API is not reached "
                    + "over the network, found " + YamlReader.quote(s));
            return null;
        }
        if (!path.startsWith("/")) {
            r.problem(v, field, "expected an absolute path to the engine's Unix socket, found " + YamlReader.quote(s));
            return null;
        }
        return checkedPath(r, v, field, path);
    }

    static Path path(YamlReader r, Node v, String field, Path configDir) {
        String s = r.string(v, field);
        if (s == null) {
            return null;
        }
        if (s.startsWith("~")) {
            r.problem(v, field, "'~' is not expanded: write an absolute path or one relative to the config folder");
            return null;
        }
        Path p = checkedPath(r, v, field, s);
        return p == null ? null : configDir.resolve(p).normalize();
    }

    private static Path checkedPath(YamlReader r, Node v, String field, String s) {
        if (s.isBlank() || s.indexOf('\0') >= 0) {
            r.problem(v, field, "expected a path, found " + YamlReader.quote(s));
            return null;
        }
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            r.problem(v, field, "expected a path, found " + YamlReader.quote(s));
            return null;
        }
    }
}
