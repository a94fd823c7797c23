package io.aixcl.core.doctor;

import io.aixcl.core.doctor.Facts.FileFact;
import io.aixcl.core.doctor.Facts.Listener;
import io.aixcl.core.engine.ContainerSecurity;
import io.aixcl.core.plan.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Judges a host's aixcl setup against the project's invariants. Pure: the daemon gathers the facts. */
public final class Doctor {
    /** Variables that carry credentials; their {@code *_FILE} forms point at files and are fine. */
    private static final Pattern CREDENTIAL = Pattern.compile(
            ".*(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)(_.*)?", Pattern.CASE_INSENSITIVE);
    private static final Set<String> DEFAULT_VALUES = Set.of("", "admin", "password", "changeme", "change_me",
            "postgres", "secret", "root", "default", "123456", "pass", "test", "pgadmin", "grafana");
    private static final List<String> ENGINE_SOCKETS = List.of("docker.sock", "podman.sock", "/run/podman",
            "/var/run/docker", "containerd.sock");

    public List<Finding> examine(Facts facts) {
        List<Finding> findings = new ArrayList<>();
        engine(facts, findings);
        listeners(facts, findings);
        files(facts, findings);
        containers(facts, findings);
        facts.audit().ifPresent(a -> audit(a, findings));
        return findings;
    }

    public static boolean healthy(List<Finding> findings) {
        return findings.stream().noneMatch(f -> f.severity() == Finding.Severity.FAIL);
    }

    private static void engine(Facts facts, List<Finding> out) {
        if (facts.engine().isEmpty()) {
            out.add(Finding.warn("engine", "container engine", "no container engine reachable: "
                    + facts.engineProblem(), "install Podman: apt-get install -y podman runc"));
            return;
        }
        var e = facts.engine().get();
        out.add(e.rootless()
                ? Finding.ok("engine", e.engine(), "rootless " + e.engine() + " " + e.version())
                : Finding.warn("engine", e.engine(), "the engine runs as root: a container escape is a root escape",
                        "use rootless Podman: run aixcl as an ordinary user with subordinate ids"));
    }

    private static void listeners(Facts facts, List<Finding> out) {
        int exposed = 0;
        for (Map.Entry<String, List<Integer>> e : facts.declaredPorts().entrySet()) {
            for (int port : e.getValue()) {
                for (Listener l : facts.listeners()) {
                    if (l.port() == port && !l.loopback()) {
                        exposed++;
                        out.add(Finding.fail("listeners", e.getKey(), "listens on " + l.address() + ":" + port
                                        + ", reachable from other machines",
                                "configure the service to bind 127.0.0.1 (or stop whatever else holds port " + port + ")"));
                    }
                }
            }
        }
        if (exposed == 0) {
            out.add(Finding.ok("listeners", "stack services", "every port of the stack's services is loopback-only"));
        }
    }

    private static void files(Facts facts, List<Finding> out) {
        for (FileFact f : facts.files()) {
            if (f.mode().isEmpty()) {
                if (f.mustExist()) {
                    out.add(Finding.fail("permissions", f.what(), f.path() + " is missing",
                            "restart the stack so aixcl writes it"));
                }
                continue;
            }
            String mode = f.mode().get();
            if (looser(mode, f.maxMode())) {
                out.add(Finding.fail("permissions", f.what(), f.path() + " is " + mode + ", looser than "
                        + f.maxMode(), "chmod " + octal(f.maxMode()) + " " + f.path()));
            } else if (f.mustExist() && f.size() == 0 && mode.startsWith("-")) { // regular files: the secrets
                out.add(Finding.fail("credentials", f.what(), f.path() + " is empty",
                        "rotate it: aixcl secrets rotate " + f.what()));
            } else {
                out.add(Finding.ok("permissions", f.what(), f.path() + " is " + mode));
            }
        }
    }

    private static void containers(Facts facts, List<Finding> out) {
        for (ContainerSecurity c : facts.containers()) {
            boolean ours = facts.stack().equals(c.labels().get(Labels.STACK));
            if (c.privileged()) {
                out.add(Finding.fail("privileged", c.name(), "runs privileged: it can take over the host",
                        "recreate it without --privileged"));
            }
            for (String source : c.mountSources()) {
                if (ENGINE_SOCKETS.stream().anyMatch(source::contains)) {
                    out.add(Finding.fail("engine-socket", c.name(), "mounts the container engine's socket ("
                                    + source + "): it controls every container on this host",
                            "remove the mount; give it a filtering socket proxy that allows only what it needs"));
                }
            }
            if (!ours) {
                continue;
            }
            for (Map.Entry<String, String> env : c.environment().entrySet()) {
                String key = env.getKey();
                if (!CREDENTIAL.matcher(key).matches() || key.toUpperCase(Locale.ROOT).endsWith("_FILE")) {
                    continue;
                }
                String value = env.getValue().strip();
                if (DEFAULT_VALUES.contains(value.toLowerCase(Locale.ROOT))) {
                    out.add(Finding.fail("credentials", c.name(), key + " is " + (value.isEmpty() ? "empty"
                                    : "a well-known default"),
                            "declare it as a secret file (secrets: [{name: ..., file_env: " + key + "_FILE}])"));
                } else {
                    out.add(Finding.fail("credentials", c.name(), key + " carries a credential in the environment"
                                    + " (visible to anyone who can inspect the container)",
                            "declare it as a secret file (secrets: [{name: ..., file_env: " + key + "_FILE}])"));
                }
            }
        }
        if (out.stream().noneMatch(f -> Set.of("privileged", "engine-socket").contains(f.check()))) {
            out.add(Finding.ok("containers", facts.containers().size() + " containers",
                    "none privileged, none with the engine socket"));
        }
    }

    private static void audit(Facts.AuditStatus a, List<Finding> out) {
        if (!a.verified()) {
            out.add(Finding.fail("audit", "audit log", a.detail(), "inspect it: aixcl audit verify"));
        } else {
            out.add(Finding.ok("audit", "audit log", a.detail()));
        }
        if (a.overridden()) {
            out.add(Finding.warn("audit", "audit log", "the daemon was started with --audit-override: the log did not "
                    + "match its witnessed checkpoint", "find out why: aixcl audit verify, aixcl audit tail"));
        }
        if (a.trimmedBytes() > 0) {
            out.add(Finding.warn("audit", "audit log", a.trimmedBytes() + " bytes of a torn last record were trimmed at"
                    + " start (a crash mid-write)", "nothing to do unless crashes repeat"));
        }
        a.checkpointProblem().ifPresent(p -> out.add(Finding.fail("audit", "checkpoints", "checkpoints cannot be "
                + "written: " + p, "check the disk and the config folder's permissions")));
    }

    /** Whether {@code actual} grants anything {@code max} does not (type character ignored). */
    static boolean looser(String actual, String max) {
        String a = actual.length() == 10 ? actual.substring(1) : actual;
        for (int i = 0; i < 9 && i < a.length() && i < max.length(); i++) {
            if (a.charAt(i) != '-' && max.charAt(i) == '-') {
                return true;
            }
        }
        return false;
    }

    private static String octal(String mode) {
        int v = 0;
        for (int i = 0; i < 9; i++) {
            v = v * 2 + (mode.charAt(i) == '-' ? 0 : 1);
        }
        return Integer.toOctalString(v);
    }
}
