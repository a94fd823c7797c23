package io.aixcl.api;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where aixcl keeps its files (XDG). {@code AIXCL_HOME} puts all of them under one folder, which tests use.
 */
public record AixclPaths(Path config, Path data, Path runtime) {

    public static AixclPaths fromEnvironment(Map<String, String> env, long uid) {
        String home = env.get("AIXCL_HOME");
        if (home != null && !home.isBlank()) {
            Path h = Path.of(home).toAbsolutePath();
            return new AixclPaths(h.resolve("config"), h.resolve("data"), h.resolve("run"));
        }
        Path userHome = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
        Path config = xdg(env, "XDG_CONFIG_HOME", userHome.resolve(".config")).resolve("aixcl");
        Path data = xdg(env, "XDG_DATA_HOME", userHome.resolve(".local/share")).resolve("aixcl");
        String runtimeDir = env.get("XDG_RUNTIME_DIR");
        Path runtime = runtimeDir != null && !runtimeDir.isBlank() && Path.of(runtimeDir).isAbsolute()
                ? Path.of(runtimeDir).resolve("aixcl")
                : Path.of(System.getProperty("java.io.tmpdir"), "aixcl-" + uid);
        return new AixclPaths(config, data, runtime);
    }

    private static Path xdg(Map<String, String> env, String name, Path fallback) {
        String v = env.get(name);
        return v != null && !v.isBlank() && Path.of(v).isAbsolute() ? Path.of(v) : fallback;
    }

    public Path socket() {
        return runtime.resolve("aixcld.sock");
    }

    public Path lockFile() {
        return runtime.resolve("aixcld.lock");
    }

    public Path daemonLog() {
        return data.resolve("logs/aixcld.log");
    }

    public Path stackFile() {
        return config.resolve("stack.yaml");
    }

    public Path settingsFile() {
        return config.resolve("settings.yaml");
    }

    public Path secretsDir() {
        return runtime.resolve("secrets");
    }

    public Path stateFile() {
        return data.resolve("state.json");
    }
}
