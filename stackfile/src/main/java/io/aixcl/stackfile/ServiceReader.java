package io.aixcl.stackfile;

import io.aixcl.core.stack.ByteSize;
import io.aixcl.core.stack.Dependency;
import io.aixcl.core.stack.Durations;
import io.aixcl.core.stack.HealthCheck;
import io.aixcl.core.stack.ImageRef;
import io.aixcl.core.stack.RestartPolicy;
import io.aixcl.core.stack.RotationHook;
import io.aixcl.core.stack.Role;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.VolumeMount;
import io.aixcl.stackfile.ServiceDraft.DependencyDraft;
import io.aixcl.stackfile.ServiceDraft.HealthDraft;
import io.aixcl.stackfile.ServiceDraft.ResourcesDraft;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/** Reads one entry of {@code services:} (or of the catalog's {@code runtimes:}) into a {@link ServiceDraft}. */
final class ServiceReader {
    static final List<String> KEYS = List.of("image", "description", "command", "environment", "secrets", "volumes",
            "tmpfs", "ports", "health", "depends_on", "resources", "restart", "cap_add", "read_only", "user",
            "stop_timeout", "stop_signal", "init", "engine_api", "role");
    private static final List<String> HEALTH_KEYS = List.of("http", "tcp", "command", "interval", "timeout", "retries",
            "start_period");
    private static final List<String> RESOURCE_KEYS = List.of("cpus", "memory", "pids");
    private static final List<String> SECRET_KEYS = List.of("name", "file_env", "on_rotate");
    private static final List<String> HOOK_KEYS = List.of("exec", "timeout");
    private static final List<String> DEPENDENCY_KEYS = List.of("condition");

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** Names that carry a secret value; such values belong in {@code secrets}, delivered as files. */
    private static final Pattern SECRET_ENV = Pattern.compile(
            "(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIALS?)");
    static final Pattern SECRET_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    private static final Pattern CAPABILITY = Pattern.compile("(CAP_)?[A-Z][A-Z_]{1,31}");
    private static final Pattern USER = Pattern.compile("([a-z_][a-z0-9_-]{0,31}|\\d{1,10})(:([a-z_][a-z0-9_-]{0,31}|\\d{1,10}))?");
    private static final Pattern SIGNAL = Pattern.compile("SIG[A-Z0-9+-]{2,12}");
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]");

    private final YamlReader r;
    private final boolean catalog;

    ServiceReader(YamlReader reader, boolean catalog) {
        this.r = reader;
        this.catalog = catalog;
    }

    ServiceDraft read(ServiceName name, Node node, String path) {
        Map<String, YamlReader.Entry> entries = r.mapping(node, path, KEYS);
        Map<String, Where> at = new HashMap<>();
        var d = new Fields();
        if (entries == null) {
            return d.toDraft(name, r.where(node), at);
        }
        for (YamlReader.Entry e : entries.values()) {
            String field = path + "." + e.key();
            Node v = e.value();
            at.put(e.key(), r.where(e.keyNode()));
            switch (e.key()) {
                case "image" -> d.image = image(v, field);
                case "description" -> d.description = r.string(v, field);
                case "command" -> d.command = command(v, field);
                case "environment" -> d.environment = environment(v, field);
                case "secrets" -> d.secrets = secrets(v, field);
                case "volumes" -> d.volumes = volumes(v, field);
                case "tmpfs" -> d.tmpfs = tmpfs(v, field);
                case "ports" -> d.ports = ports(v, field);
                case "health" -> d.health = health(v, field);
                case "depends_on" -> d.dependsOn = dependsOn(v, field);
                case "resources" -> d.resources = resources(v, field);
                case "restart" -> d.restart = restart(v, field);
                case "cap_add" -> d.capAdd = capAdd(v, field);
                case "read_only" -> d.readOnly = r.bool(v, field);
                case "user" -> d.user = r.string(v, field, USER, "a user name or uid, optionally ':group'");
                case "stop_timeout" -> d.stopTimeout = duration(v, field);
                case "stop_signal" -> d.stopSignal = r.string(v, field, SIGNAL, "a signal name like SIGTERM");
                case "init" -> d.init = r.bool(v, field);
                case "engine_api" -> d.engineApi = engineApi(v, field);
                case "role" -> d.role = role(e, field);
                default -> throw new IllegalStateException(e.key());
            }
        }
        return d.toDraft(name, r.where(node), at);
    }

    /** Mutable while one entry is read; becomes an immutable draft at the end. */
    private static final class Fields {
        Role role;
        String description;
        ImageRef image;
        List<String> command;
        Map<String, String> environment;
        List<SecretRef> secrets;
        List<VolumeMount> volumes;
        List<String> tmpfs;
        List<Integer> ports;
        HealthDraft health;
        List<DependencyDraft> dependsOn;
        ResourcesDraft resources;
        RestartPolicy restart;
        List<String> capAdd;
        Boolean readOnly;
        String user;
        Duration stopTimeout;
        String stopSignal;
        Boolean init;
        Set<EngineApiOperation> engineApi;

        ServiceDraft toDraft(ServiceName name, Where where, Map<String, Where> at) {
            return new ServiceDraft(name, where, role, description, image, command, environment, secrets, volumes,
                    tmpfs, ports, health, dependsOn, resources, restart, capAdd, readOnly, user, stopTimeout,
                    stopSignal, init, engineApi, at);
        }
    }

    private Role role(YamlReader.Entry e, String field) {
        if (!catalog) {
            r.problem(e.keyNode(), field, "role is set by the catalog only; services in a user stack file are "
                    + "operational, and the runtime core is 'inference'");
            return null;
        }
        String s = r.string(e.value(), field);
        return switch (s == null ? "" : s) {
            case "runtime-core" -> Role.RUNTIME_CORE;
            case "operational" -> Role.OPERATIONAL;
            default -> {
                if (s != null) {
                    r.problem(e.value(), field, "expected runtime-core or operational, found " + YamlReader.quote(s));
                }
                yield null;
            }
        };
    }

    private ImageRef image(Node v, String field) {
        String s = r.string(v, field);
        if (s == null) {
            return null;
        }
        String problem = ImageRef.problem(s);
        if (problem != null) {
            r.problem(v, field, "invalid image reference " + YamlReader.quote(s) + ": " + problem);
            return null;
        }
        return new ImageRef(s);
    }

    private List<String> command(Node v, String field) {
        if (v instanceof ScalarNode && !YamlReader.isNull(v)) {
            r.problem(v, field, "expected a list of arguments (there is no shell to split a string), found "
                    + YamlReader.describe(v));
            return null;
        }
        List<String> argv = r.strings(v, field);
        if (argv != null) {
            for (int i = 0; i < argv.size(); i++) {
                if (argv.get(i).indexOf('\0') >= 0) {
                    r.problem(v, field + "[" + i + "]", "contains a NUL character");
                    return null;
                }
            }
        }
        return argv;
    }

    private Map<String, String> environment(Node v, String field) {
        Map<String, YamlReader.Entry> entries = r.mapping(v, field, null);
        if (entries == null) {
            return null;
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (YamlReader.Entry e : entries.values()) {
            String f = field + "." + e.key();
            if (!ENV_NAME.matcher(e.key()).matches()) {
                r.problem(e.keyNode(), f, "expected a variable name (letters, digits, '_', not starting with a digit)");
                continue;
            }
            if (SECRET_ENV.matcher(e.key()).matches()) {
                r.problem(e.keyNode(), f, "looks like a secret: declare it under 'secrets' (name, file_env) so the "
                        + "value is handed over as a file, never as an environment value");
                continue;
            }
            String value = r.string(e.value(), f);
            if (value != null) {
                if (value.indexOf('\0') >= 0) {
                    r.problem(e.value(), f, "contains a NUL character");
                } else {
                    env.put(e.key(), value);
                }
            }
        }
        return env;
    }

    /**
     * <pre>
     * secrets:
     *   - { name: grafana-admin-password, file_env: GF_SECURITY_ADMIN_PASSWORD__FILE }
     *   - name: postgres-role-sql          # no file_env: only the hook reads /run/secrets/postgres-role-sql
     *     on_rotate: { exec: [psql, ..., --file=/run/secrets/postgres-role-sql], timeout: 30s }
     * </pre>
     */
    private List<SecretRef> secrets(Node v, String field) {
        List<Node> items = r.sequence(v, field);
        if (items == null) {
            return null;
        }
        List<SecretRef> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String f = field + "[" + i + "]";
            Map<String, YamlReader.Entry> e = r.mapping(items.get(i), f, SECRET_KEYS);
            if (e == null) {
                continue;
            }
            if (!e.containsKey("name")) {
                r.problem(items.get(i), f, "a secret needs a 'name' (and usually 'file_env', the variable that "
                        + "points at its file)");
                continue;
            }
            String name = r.string(e.get("name").value(), f + ".name", SECRET_NAME,
                    "a secret name (lowercase letters, digits, '.', '_', '-')");
            String env = e.containsKey("file_env")
                    ? r.string(e.get("file_env").value(), f + ".file_env", ENV_NAME, "a variable name") : null;
            boolean envOk = !e.containsKey("file_env") || env != null;
            Optional<RotationHook> hook = Optional.empty();
            if (e.containsKey("on_rotate")) {
                hook = Optional.ofNullable(rotationHook(e.get("on_rotate").value(), f + ".on_rotate"));
                if (hook.isEmpty()) {
                    continue;
                }
            }
            if (name != null && !names.add(name)) {
                r.problem(e.get("name").value(), f + ".name", "secret '" + name + "' is listed twice");
            } else if (name != null && envOk) {
                out.add(new SecretRef(name, Optional.ofNullable(env), hook));
            }
        }
        return out;
    }

    /** {@code on_rotate: { exec: [program, args...], timeout: 30s }}; run in the service's running container. */
    private RotationHook rotationHook(Node v, String field) {
        Map<String, YamlReader.Entry> e = r.mapping(v, field, HOOK_KEYS);
        if (e == null) {
            return null;
        }
        if (!e.containsKey("exec")) {
            r.problem(v, field, "expected 'exec': the program and its arguments to run in the running service "
                    + "when this secret changes");
            return null;
        }
        List<String> argv = command(e.get("exec").value(), field + ".exec");
        if (argv == null) {
            return null;
        }
        if (argv.isEmpty()) {
            r.problem(e.get("exec").value(), field + ".exec", "expected at least the program to run");
            return null;
        }
        Duration timeout = RotationHook.DEFAULT_TIMEOUT;
        if (e.containsKey("timeout")) {
            Node t = e.get("timeout").value();
            timeout = duration(t, field + ".timeout");
            if (timeout == null) {
                return null;
            }
            if (timeout.isZero() || timeout.compareTo(RotationHook.MAX_TIMEOUT) > 0) {
                r.problem(t, field + ".timeout", "expected more than 0 and at most "
                        + RotationHook.MAX_TIMEOUT.toMinutes() + "m, found " + YamlReader.describe(t));
                return null;
            }
        }
        return new RotationHook(argv, timeout);
    }

    private List<VolumeMount> volumes(Node v, String field) {
        List<Node> items = r.sequence(v, field);
        if (items == null) {
            return null;
        }
        List<VolumeMount> out = new ArrayList<>();
        Set<String> paths = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String f = field + "[" + i + "]";
            String s = r.string(items.get(i), f);
            if (s == null) {
                continue;
            }
            VolumeMount m = volume(items.get(i), f, s);
            if (m != null && !paths.add(m.containerPath())) {
                r.problem(items.get(i), f, "container path " + m.containerPath() + " is mounted twice");
            } else if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    private VolumeMount volume(Node node, String field, String s) {
        String[] parts = s.split(":", -1);
        String name = parts[0];
        if (name.startsWith("/") || name.startsWith(".") || name.startsWith("~") || name.contains("/")) {
            r.problem(node, field, "'" + name + "' is a host path: bind mounts are not offered, use a named volume "
                    + "(for example data:/var/lib/data)");
            return null;
        }
        if (parts.length < 2 || parts.length > 3) {
            r.problem(node, field, "expected 'volume:/container/path' or 'volume:/container/path:ro', found "
                    + YamlReader.quote(s));
            return null;
        }
        if (!VolumeMount.isValidName(name)) {
            r.problem(node, field, "invalid volume name " + YamlReader.quote(name)
                    + ": expected lowercase letters, digits, '.', '_', '-', starting with a letter or digit");
            return null;
        }
        if (!VolumeMount.isValidContainerPath(parts[1])) {
            r.problem(node, field, "container path " + YamlReader.quote(parts[1])
                    + " must be absolute (start with '/') and must not contain '..'");
            return null;
        }
        boolean readOnly = false;
        if (parts.length == 3) {
            switch (parts[2]) {
                case "ro" -> readOnly = true;
                case "rw" -> readOnly = false;
                default -> {
                    r.problem(node, field, "expected mode 'ro' or 'rw', found " + YamlReader.quote(parts[2]));
                    return null;
                }
            }
        }
        return new VolumeMount(name, parts[1], readOnly);
    }

    private List<String> tmpfs(Node v, String field) {
        List<String> paths = r.strings(v, field);
        if (paths == null) {
            return null;
        }
        for (int i = 0; i < paths.size(); i++) {
            if (!VolumeMount.isValidContainerPath(paths.get(i))) {
                r.problem(((SequenceNode) v).getValue().get(i), field + "[" + i + "]",
                        "tmpfs path " + YamlReader.quote(paths.get(i)) + " must be absolute and must not contain '..'");
                return null;
            }
        }
        return List.copyOf(new LinkedHashSet<>(paths));
    }

    private List<Integer> ports(Node v, String field) {
        List<Node> items = r.sequence(v, field);
        if (items == null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Integer p = r.integer(items.get(i), field + "[" + i + "]", 1, 65535);
            if (p != null && out.contains(p)) {
                r.problem(items.get(i), field + "[" + i + "]", "port " + p + " is listed twice");
            } else if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    private HealthDraft health(Node v, String field) {
        Map<String, YamlReader.Entry> e = r.mapping(v, field, HEALTH_KEYS);
        if (e == null) {
            return null;
        }
        List<String> probes = e.keySet().stream().filter(k -> List.of("http", "tcp", "command").contains(k)).toList();
        if (probes.size() > 1) {
            r.problem(v, field, "expected one probe, found " + String.join(" and ", probes));
            return null;
        }
        HealthCheck.Probe probe = null;
        if (e.containsKey("http")) {
            probe = httpProbe(e.get("http").value(), field + ".http");
        } else if (e.containsKey("tcp")) {
            probe = tcpProbe(e.get("tcp").value(), field + ".tcp");
        } else if (e.containsKey("command")) {
            List<String> argv = command(e.get("command").value(), field + ".command");
            if (argv != null && argv.isEmpty()) {
                r.problem(e.get("command").value(), field + ".command", "expected at least the program to run");
            } else if (argv != null) {
                probe = new HealthCheck.Command(argv);
            }
        }
        if (!probes.isEmpty() && probe == null) {
            return null; // the probe was reported; a second "no probe" message would only add noise
        }
        Duration interval = e.containsKey("interval") ? duration(e.get("interval").value(), field + ".interval") : null;
        Duration timeout = e.containsKey("timeout") ? duration(e.get("timeout").value(), field + ".timeout") : null;
        Integer retries = e.containsKey("retries") ? r.integer(e.get("retries").value(), field + ".retries", 1, 100)
                : null;
        Duration start = e.containsKey("start_period")
                ? duration(e.get("start_period").value(), field + ".start_period") : null;
        return new HealthDraft(probe, interval, timeout, retries, start);
    }

    private HealthCheck.Probe httpProbe(Node v, String field) {
        String s = r.string(v, field);
        if (s == null) {
            return null;
        }
        try {
            URI uri = new URI(s);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                r.problem(v, field, "expected an http:// or https:// URL, found " + YamlReader.quote(s));
                return null;
            }
            if (!LOOPBACK_HOSTS.contains(uri.getHost())) {
                r.problem(v, field, "health probes reach the service on loopback: expected host 127.0.0.1, found "
                        + YamlReader.quote(uri.getHost()));
                return null;
            }
            return new HealthCheck.Http(s);
        } catch (URISyntaxException ex) {
            r.problem(v, field, "expected a URL, found " + YamlReader.quote(s));
            return null;
        }
    }

    private HealthCheck.Probe tcpProbe(Node v, String field) {
        String s = r.string(v, field);
        if (s == null) {
            return null;
        }
        int colon = s.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : s.substring(0, colon);
        String port = colon < 0 ? s : s.substring(colon + 1);
        if (!LOOPBACK_HOSTS.contains(host) || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1
                || Integer.parseInt(port) > 65535) {
            r.problem(v, field, "expected PORT or 127.0.0.1:PORT (port 1 to 65535), found " + YamlReader.quote(s));
            return null;
        }
        return new HealthCheck.Tcp(host, Integer.parseInt(port));
    }

    private List<DependencyDraft> dependsOn(Node v, String field) {
        List<DependencyDraft> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        if (v instanceof MappingNode) {
            Map<String, YamlReader.Entry> entries = r.mapping(v, field, null);
            for (YamlReader.Entry e : entries.values()) {
                String f = field + "." + e.key();
                ServiceName name = serviceName(e.keyNode(), e.key(), f);
                Dependency.Condition condition = Dependency.Condition.HEALTHY;
                if (!YamlReader.isNull(e.value())) {
                    Map<String, YamlReader.Entry> c = r.mapping(e.value(), f, DEPENDENCY_KEYS);
                    if (c != null && c.containsKey("condition")) {
                        condition = condition(c.get("condition").value(), f + ".condition");
                    }
                }
                if (name != null && condition != null) {
                    out.add(new DependencyDraft(name, condition, r.where(e.keyNode())));
                }
            }
            return out;
        }
        List<Node> items = r.sequence(v, field);
        if (items == null) {
            return null;
        }
        for (int i = 0; i < items.size(); i++) {
            String f = field + "[" + i + "]";
            String s = r.string(items.get(i), f);
            if (s == null) {
                continue;
            }
            ServiceName name = serviceName(items.get(i), s, f);
            if (name != null && !seen.add(s)) {
                r.problem(items.get(i), f, "'" + s + "' is listed twice");
            } else if (name != null) {
                out.add(new DependencyDraft(name, Dependency.Condition.HEALTHY, r.where(items.get(i))));
            }
        }
        return out;
    }

    private Dependency.Condition condition(Node v, String field) {
        String s = r.string(v, field);
        if (s == null) {
            return null;
        }
        return switch (s) {
            case "service_healthy" -> Dependency.Condition.HEALTHY;
            case "service_started" -> Dependency.Condition.STARTED;
            default -> {
                r.problem(v, field, "expected service_healthy or service_started, found " + YamlReader.quote(s)
                        + Suggestions.didYouMean(s, List.of("service_healthy", "service_started")));
                yield null;
            }
        };
    }

    ServiceName serviceName(Node node, String s, String field) {
        if (!ServiceName.isValid(s)) {
            r.problem(node, field, "invalid service name " + YamlReader.quote(s) + ": expected lowercase letters, "
                    + "digits and '-', starting with a letter, at most 63 characters");
            return null;
        }
        return ServiceName.of(s);
    }

    private ResourcesDraft resources(Node v, String field) {
        Map<String, YamlReader.Entry> e = r.mapping(v, field, RESOURCE_KEYS);
        if (e == null) {
            return null;
        }
        Double cpus = null;
        Long memory = null;
        Long pids = null;
        if (e.containsKey("cpus")) {
            Node n = e.get("cpus").value();
            cpus = r.number(n, field + ".cpus");
            if (cpus != null && (cpus < 0 || cpus > 1024)) {
                r.problem(n, field + ".cpus", "expected a number of CPUs from 0 (unlimited) to 1024, found "
                        + YamlReader.describe(n));
                cpus = null;
            }
        }
        if (e.containsKey("memory")) {
            Node n = e.get("memory").value();
            String s = r.string(n, field + ".memory");
            long bytes = s == null ? -1 : ByteSize.parse(s);
            if (s != null && bytes < 0) {
                r.problem(n, field + ".memory", "expected a size like 512m or 2g (units k, m, g, t), found "
                        + YamlReader.quote(s));
            } else if (s != null && bytes > 0 && bytes < 4L * 1024 * 1024) {
                r.problem(n, field + ".memory", "expected at least 4m (or 0 for unlimited), found "
                        + YamlReader.quote(s));
            } else if (s != null) {
                memory = bytes;
            }
        }
        if (e.containsKey("pids")) {
            Integer p = r.integer(e.get("pids").value(), field + ".pids", 0, 4_194_304);
            pids = p == null ? null : p.longValue();
        }
        return new ResourcesDraft(cpus, memory, pids);
    }

    private RestartPolicy restart(Node v, String field) {
        String s = r.string(v, field);
        RestartPolicy p = RestartPolicy.parse(s);
        if (s != null && p == null) {
            r.problem(v, field, "expected no, always, unless-stopped, on-failure or on-failure:N, found "
                    + YamlReader.quote(s));
        }
        return p;
    }

    private List<String> capAdd(Node v, String field) {
        List<String> caps = r.strings(v, field);
        if (caps == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < caps.size(); i++) {
            String c = caps.get(i).toUpperCase(Locale.ROOT);
            Node n = ((SequenceNode) v).getValue().get(i);
            if (c.equals("ALL")) {
                r.problem(n, field + "[" + i + "]", "ALL would make the container as powerful as a privileged one: "
                        + "name each capability it needs");
            } else if (!CAPABILITY.matcher(c).matches()) {
                r.problem(n, field + "[" + i + "]", "expected a capability name like NET_BIND_SERVICE, found "
                        + YamlReader.quote(caps.get(i)));
            } else {
                out.add(c.startsWith("CAP_") ? c.substring(4) : c);
            }
        }
        return out;
    }

    private Duration duration(Node v, String field) {
        String s = r.string(v, field);
        if (s == null) {
            return null;
        }
        Duration d = Durations.parse(s);
        if (d == null) {
            r.problem(v, field, "expected a duration like 500ms, 10s, 1m30s or 1h, found " + YamlReader.quote(s));
        } else if (d.compareTo(Duration.ofDays(1)) > 0) {
            r.problem(v, field, "expected at most 24h, found " + YamlReader.quote(s));
            return null;
        }
        return d;
    }

    private Set<EngineApiOperation> engineApi(Node v, String field) {
        List<String> ops = r.strings(v, field);
        if (ops == null) {
            return null;
        }
        Set<EngineApiOperation> out = new LinkedHashSet<>();
        for (int i = 0; i < ops.size(); i++) {
            var op = EngineApiOperation.ofWireName(ops.get(i));
            if (op.isEmpty()) {
                r.problem(((SequenceNode) v).getValue().get(i), field + "[" + i + "]",
                        "unknown engine API operation " + YamlReader.quote(ops.get(i))
                                + Suggestions.didYouMean(ops.get(i), EngineApiOperation.wireNames())
                                + "; expected one of: " + String.join(", ", EngineApiOperation.wireNames()));
            } else {
                out.add(op.get());
            }
        }
        return out;
    }
}
