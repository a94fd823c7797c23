package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code on_rotate} through {@code ./aixcl} on real Podman. A busybox "database" ({@code db}, uid 1234) declares a
 * hook on a secret derived from its password; the hook records the hash of the file it sees and the boot marker of
 * the container it runs in. After {@code secrets rotate}: the hash is the new value's (the file was rewritten in the
 * running container), the marker is the one from before the restart (the hook ran in the running service, before
 * any restart), and the consumer got the new file. A second secret's hook fails (exit 1, printing the value to
 * stderr): the rotation is refused with the exit code and the scrubbed output, the old value stays in the store and
 * in the running files, nothing restarts; the audit log records both hooks' outcomes and no value.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RotationHookIT {
    private static final String CONTAINER_UID = "1234";
    private final String stack = "hooks" + UUID.randomUUID().toString().substring(0, 6);
    private Aixcl aixcl;
    private String stackFile;
    private final List<String> values = new ArrayList<>();

    PodmanUser user() {
        return PodmanUser.root();
    }

    @BeforeAll
    void setUp() throws Exception {
        TestImages.busybox(user());
        aixcl = new Aixcl(user(), "hooks");
        List<Integer> ports = TestImages.freeLoopbackPorts(3);
        // The hook writes to a volume its uid may write to: created and handed over before the stack starts.
        String volume = stack + "-db-out";
        assertThat(user().podman("volume", "create", volume).ok()).isTrue();
        TestImages.Result chown = user().podman("run", "--rm", "--network", "none", "-v", volume + ":/out",
                TestImages.BUSYBOX, "busybox", "chown", CONTAINER_UID + ":" + CONTAINER_UID, "/out");
        assertThat(chown.ok()).as(chown.output()).isTrue();

        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", ports.get(0), List.of(), ""));
        s.put("db", "  db:\n    image: " + TestImages.BUSYBOX + "\n"
                + "    command: [sh, -c, \"cat /proc/sys/kernel/random/uuid > /out/boot; exec httpd -f -p 127.0.0.1:"
                + ports.get(1) + " -h /www\"]\n"
                + "    user: \"" + CONTAINER_UID + ":" + CONTAINER_UID + "\"\n"
                + "    volumes: [\"db-out:/out\"]\n"
                + "    secrets:\n"
                + "      - { name: db-password, file_env: DB_PASSWORD_FILE }\n"
                + "      - name: db-apply\n"
                + "        on_rotate:\n"
                + "          exec: [sh, -c, \"busybox sha256sum /run/secrets/db-apply > /out/hook-hash"
                + " && cat /out/boot > /out/hook-boot\"]\n"
                + "          timeout: 20s\n"
                + "      - name: bad-apply\n"
                + "        on_rotate: { exec: [sh, -c, \"echo refusing $(cat /run/secrets/bad-apply) >&2; exit 1\"] }\n"
                + "    ports: [" + ports.get(1) + "]\n"
                + "    health: { http: \"http://127.0.0.1:" + ports.get(1) + "/health\", interval: 1s, timeout: 1s,"
                + " retries: 2, start_period: 10s }\n"
                + "    init: true\n");
        s.put("app", TestStacks.httpService("app", ports.get(2), List.of("db"), "secrets:\n"
                + "  - { name: db-password, file_env: DB_PASSWORD_FILE }\n"
                + "  - { name: bad-password, file_env: BAD_PASSWORD_FILE }\n"
                + "user: \"" + CONTAINER_UID + ":" + CONTAINER_UID + "\"\n"));
        String text = TestStacks.stack(stack, s, Map.of("all", List.of("inference", "db", "app")), "all")
                + "secrets:\n"
                + "  db-password: { length: 40 }\n"
                + "  db-apply: { template: \"ALTER ROLE app PASSWORD '${db-password}';\" }\n"
                + "  bad-password: { length: 40 }\n"
                + "  bad-apply: { template: \"${bad-password}\" }\n";
        stackFile = aixcl.write("stack.yaml", text).toString();
        Aixcl.Run start = aixcl.run("stack", "start", "-f", stackFile);
        assertThat(start.exit()).as(start.toString()).isZero();
    }

    @AfterAll
    void tearDown() {
        if (aixcl != null) {
            aixcl.cleanUp(stack);
            user().podman("volume", "rm", "-f", stack + "-db-out");
        }
    }

    private String reveal(String name) {
        Aixcl.Run r = aixcl.run("secrets", "show", name);
        assertThat(r.exit()).as(r.toString()).isZero();
        String v = r.out().strip();
        values.add(v);
        return v;
    }

    private String inDb(String... argv) {
        List<String> args = new ArrayList<>(List.of("exec", stack + "-db"));
        args.addAll(List.of(argv));
        TestImages.Result r = user().podman(args.toArray(String[]::new));
        assertThat(r.ok()).as(r.output()).isTrue();
        return r.output().strip();
    }

    private String startedAt(String service) {
        return user().podman("inspect", "--format", "{{.State.StartedAt}}", stack + "-" + service).output().strip();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @Order(1)
    void hookRunsInTheRunningServiceWithTheNewFileBeforeTheConsumersRestart() throws Exception {
        String before = reveal("db-password");
        String bootBefore = inDb("cat", "/out/boot");
        String appStarted = startedAt("app");

        Aixcl.Run rotate = aixcl.run("secrets", "rotate", "db-password", "-f", stackFile);
        assertThat(rotate.exit()).as(rotate.toString()).isZero();
        assertThat(rotate.out()).contains("on_rotate  db (db-apply: sh succeeded)").contains("restarted");

        String after = reveal("db-password");
        String apply = reveal("db-apply");
        assertThat(after).isNotEqualTo(before);
        assertThat(apply).isEqualTo("ALTER ROLE app PASSWORD '" + after + "';");
        assertThat(inDb("cat", "/out/hook-hash")).startsWith(sha256(apply) + " ");
        assertThat(inDb("cat", "/out/hook-boot")).as("the hook ran in the container started before the rotation")
                .isEqualTo(bootBefore);
        assertThat(inDb("cat", "/out/boot")).as("then the service restarted").isNotEqualTo(bootBefore);
        TestImages.Result appFile = user().podman("exec", stack + "-app", "cat", "/run/secrets/db-password");
        assertThat(appFile.output()).isEqualTo(after);
        assertThat(startedAt("app")).isNotEqualTo(appStarted);
        assertThat(rotate.all()).doesNotContain(before).doesNotContain(after);
    }

    @Test
    @Order(2)
    void failingHookLeavesTheOldValueInForceAndRestartsNothing() {
        String before = reveal("bad-password");
        String applyBefore = reveal("bad-apply");
        String dbStarted = startedAt("db");
        String appStarted = startedAt("app");

        Aixcl.Run rotate = aixcl.run("secrets", "rotate", "bad-password", "-f", stackFile);

        assertThat(rotate.exit()).as(rotate.toString()).isEqualTo(1);
        assertThat(rotate.err()).contains("secret 'bad-password' was not rotated: on_rotate of secret 'bad-apply' in "
                + "service 'db' (sh) failed (exit 1): refusing [REDACTED]")
                .contains("The previous value is back");
        assertThat(rotate.out()).contains("reverted   bad-password");
        assertThat(reveal("bad-password")).isEqualTo(before);
        assertThat(reveal("bad-apply")).isEqualTo(applyBefore);
        assertThat(inDb("cat", "/run/secrets/bad-apply")).as("the running file has the old value again")
                .isEqualTo(applyBefore);
        assertThat(startedAt("db")).isEqualTo(dbStarted);
        assertThat(startedAt("app")).isEqualTo(appStarted);
        assertThat(user().podman("exec", stack + "-app", "cat", "/run/secrets/bad-password").output())
                .isEqualTo(before);
    }

    @Test
    @Order(3)
    void auditRecordsWhichHookRanAndHowItEndedNeverAValue() throws Exception {
        Aixcl.Run tail = aixcl.run("audit", "tail", "-n", "50", "--json");
        assertThat(tail.exit()).as(tail.toString()).isZero();
        List<JsonNode> rotations = new ArrayList<>();
        for (JsonNode e : Json.MAPPER.readTree(tail.out())) {
            if ("secrets.rotate".equals(e.path("action").asText())) {
                rotations.add(e);
            }
        }
        assertThat(rotations).hasSize(2);
        assertThat(rotations.get(0).path("parameters").path("onRotate").asText()).isEqualTo("db/db-apply succeeded");
        assertThat(rotations.get(0).path("outcome").asText()).isEqualTo("succeeded");
        assertThat(rotations.get(1).path("parameters").path("onRotate").asText())
                .isEqualTo("db/bad-apply failed, exit 1");
        assertThat(rotations.get(1).path("parameters").path("reverted").asText()).isEqualTo("yes");
        assertThat(rotations.get(1).path("outcome").asText()).isEqualTo("failed");
        for (String v : values) {
            assertThat(tail.out()).doesNotContain(v);
        }
    }
}
