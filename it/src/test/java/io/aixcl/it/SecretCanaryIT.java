package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The secret canary: a stack whose services declare generated secrets starts through {@code ./aixcl}; a service
 * even prints its secret to its log, another fails its health check after printing it. Then every place a value
 * could leak is searched for every secret value: the daemon's log, every API answer the CLI can trigger (plan,
 * status, logs, errors, lists, export), {@code podman inspect} of every container, the store's files, and
 * {@code /proc/*}/cmdline and environ of every process. Zero hits; and inside the container the file is there,
 * mode 0400, owned by and readable by the container's user only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecretCanaryIT {
    private static final String CONTAINER_UID = "1234";
    private final String stack = "canary" + UUID.randomUUID().toString().substring(0, 6);
    private Aixcl aixcl;
    private Path stackFile;
    /** Every value any secret has had during the test: none may leak, old ones included. */
    private final List<String> values = new ArrayList<>();
    /** Everything the CLI printed, by what was run. */
    private final Map<String, String> answers = new LinkedHashMap<>();

    PodmanUser user() {
        return PodmanUser.root();
    }

    @BeforeAll
    void setUp() throws Exception {
        TestImages.busybox(user());
        aixcl = new Aixcl(user(), "canary");
        List<Integer> ports = TestImages.freeLoopbackPorts(3);
        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", ports.get(0), List.of(), ""));
        // Prints its secret (a careless service), then serves; healthy only if its user can read both files.
        s.put("vault", "  vault:\n    image: " + TestImages.BUSYBOX + "\n"
                + "    command: [sh, -c, \"echo leaked password $(cat /run/secrets/canary-password);"
                + " echo leaked dsn $(cat /run/secrets/canary-dsn); exec httpd -f -p 127.0.0.1:" + ports.get(1)
                + " -h /www\"]\n"
                + "    user: \"" + CONTAINER_UID + ":" + CONTAINER_UID + "\"\n"
                + "    secrets:\n"
                + "      - { name: canary-password, file_env: CANARY_PASSWORD_FILE }\n"
                + "      - { name: canary-dsn, file_env: CANARY_DSN_FILE }\n"
                + "    ports: [" + ports.get(1) + "]\n"
                + "    health: { command: [test, -r, /run/secrets/canary-password], interval: 1s, timeout: 2s,"
                + " retries: 3, start_period: 20s }\n"
                + "    init: true\n");
        // Prints the secret, then never becomes healthy: the error carries its last log lines.
        s.put("bad", "  bad:\n    image: " + TestImages.BUSYBOX + "\n"
                + "    command: [sh, -c, \"echo bad service sees $(cat /run/secrets/canary-password); sleep 3600\"]\n"
                + "    secrets: [{ name: canary-password, file_env: CANARY_PASSWORD_FILE }]\n"
                + "    health: { http: \"http://127.0.0.1:" + ports.get(2) + "/health\", interval: 1s, timeout: 1s,"
                + " retries: 1, start_period: 2s }\n"
                + "    init: true\n");
        String text = TestStacks.stack(stack, s, Map.of("canary", List.of("inference", "vault"),
                "broken", List.of("inference", "bad")), "canary")
                + "secrets:\n"
                + "  canary-password: { length: 40 }\n"
                + "  canary-dsn: { template: \"postgresql://app:${canary-password}@127.0.0.1/app\" }\n";
        stackFile = aixcl.write("stack.yaml", text);
    }

    @AfterAll
    void tearDown() {
        if (aixcl != null) {
            aixcl.cleanUp(stack);
        }
    }

    private Aixcl.Run run(String... args) {
        Aixcl.Run r = aixcl.run(args);
        answers.put(String.join(" ", args) + " #" + answers.size(), r.all());
        return r;
    }

    private String[] f(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("-f");
        a.add(stackFile.toString());
        return a.toArray(String[]::new);
    }

    private String reveal(String name) {
        Aixcl.Run r = aixcl.run("secrets", "show", name);
        assertThat(r.exit()).as(r.toString()).isZero();
        String v = r.out().strip();
        values.add(v);
        return v;
    }

    private String container(String service) {
        return stack + "-" + service;
    }

    @Test
    @Order(1)
    void stackWithGeneratedSecretsStartsAndItsUserReadsTheFiles() {
        Aixcl.Run list = run(f("secrets", "list", "--json"));
        assertThat(list.exit()).as(list.toString()).isZero();

        Aixcl.Run start = run(f("stack", "start"));
        assertThat(start.exit()).as(start.toString()).isZero();

        String password = reveal("canary-password");
        String dsn = reveal("canary-dsn");
        assertThat(password).matches("[A-Za-z0-9_-]{40}");
        assertThat(dsn).isEqualTo("postgresql://app:" + password + "@127.0.0.1/app");

        String vault = container("vault");
        assertThat(user().podman("exec", vault, "stat", "-c", "%a %u", "/run/secrets/canary-password").output()
                .strip()).isEqualTo("400 " + CONTAINER_UID);
        assertThat(user().podman("exec", vault, "cat", "/run/secrets/canary-dsn").output()).isEqualTo(dsn);
        TestImages.Result other = user().podman("exec", "--user", "4321", vault, "cat",
                "/run/secrets/canary-password");
        assertThat(other.ok()).as("another user in the container must not read it: " + other).isFalse();
        assertThat(user().podman("exec", vault, "env").output())
                .contains("CANARY_PASSWORD_FILE=/run/secrets/canary-password");
    }

    @Test
    @Order(2)
    void everyAnswerTheCliCanTriggerIsScrubbed() {
        run(f("stack", "plan", "--json"));
        run(f("stack", "status", "--json"));
        run(f("stack", "status"));
        Aixcl.Run logs = run(f("stack", "logs"));
        assertThat(logs.out()).as("the canary printed its secret; the daemon must have scrubbed it")
                .contains("leaked password [REDACTED]").contains("leaked dsn [REDACTED]");
        run(f("stack", "logs", "--json"));
        run(f("service", "logs", "vault"));
        run(f("service", "status", "vault", "--json"));
        run(f("secrets", "list"));
        run(f("secrets", "list", "--json"));
        run(f("stack", "export", "--format", "compose"));
        run(f("profiles", "--json"));
        run("daemon", "status", "--json");
        run("engine", "info", "--json");
        Aixcl.Run broken = run(f("stack", "start", "--profile", "broken"));
        assertThat(broken.exit()).as(broken.toString()).isEqualTo(3);
        assertThat(broken.all()).contains("bad service sees [REDACTED]");
        run(f("service", "logs", "bad", "--profile", "broken"));
        run(f("service", "stop", "bad", "--profile", "broken"));
        run(f("secrets", "rotate", "open-webui-pgpass"));
        run("secrets", "show", "no-such-secret");
    }

    @Test
    @Order(3)
    void rotationGivesANewValueThatDerivedSecretsFollowAndRestartsTheConsumer() {
        String before = reveal("canary-password");
        Aixcl.Run rotate = run(f("secrets", "rotate", "canary-password"));
        assertThat(rotate.exit()).as(rotate.toString()).isZero();
        assertThat(rotate.out()).contains("rotated    canary-password").contains("rotated    canary-dsn")
                .contains("restarted vault");

        String after = reveal("canary-password");
        String dsn = reveal("canary-dsn");
        assertThat(after).isNotEqualTo(before);
        assertThat(dsn).contains(after);
        assertThat(user().podman("exec", container("vault"), "cat", "/run/secrets/canary-dsn").output())
                .isEqualTo(dsn);
        Aixcl.Run logs = run(f("service", "logs", "vault"));
        assertThat(logs.out()).doesNotContain(before).doesNotContain(after).contains("leaked password [REDACTED]");
    }

    @Test
    @Order(4)
    void noSecretValueIsFoundAnywhereItCouldLeak() throws IOException {
        assertThat(values).hasSizeGreaterThanOrEqualTo(4);
        Map<String, String> places = new LinkedHashMap<>(answers);
        try (Stream<Path> logs = Files.walk(aixcl.home.resolve("data/logs"))) {
            for (Path p : logs.filter(Files::isRegularFile).toList()) {
                places.put("daemon log " + p, Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(places.keySet()).anyMatch(k -> k.startsWith("daemon log"));
        try (Stream<Path> store = Files.walk(aixcl.home.resolve("data"))) {
            for (Path p : store.filter(Files::isRegularFile).toList()) {
                places.put("data file " + p, Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        }
        String ids = user().podman("ps", "-a", "-q", "--filter", "label=io.aixcl.stack=" + stack).output();
        List<String> containers = ids.lines().filter(l -> !l.isBlank()).toList();
        assertThat(containers).hasSizeGreaterThanOrEqualTo(2);
        for (String id : containers) {
            TestImages.Result inspect = user().podman("inspect", id);
            assertThat(inspect.ok()).isTrue();
            places.put("podman inspect " + id, inspect.output());
        }
        JsonNode vault = Json.MAPPER.readTree(user().podman("inspect", container("vault")).output()).get(0);
        assertThat(vault.get("Config").get("Env").toString()).contains("CANARY_PASSWORD_FILE=/run/secrets/canary-password");
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                for (String what : List.of("cmdline", "environ")) {
                    try {
                        places.put(p + "/" + what, new String(Files.readAllBytes(p.resolve(what)),
                                StandardCharsets.ISO_8859_1));
                    } catch (IOException gone) {
                        // the process ended while we looked
                    }
                }
            }
        }
        assertThat(places.keySet()).anyMatch(k -> k.endsWith("/cmdline"));

        List<String> hits = new ArrayList<>();
        places.forEach((where, text) -> {
            for (String v : values) {
                if (text.contains(v)) {
                    hits.add(where + " contains a secret value");
                }
            }
        });
        assertThat(hits).isEmpty();
    }
}
