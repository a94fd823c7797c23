package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code aixcl doctor} finds what breaks the invariants on a real host, and says how to fix it. */
class DoctorIT {
    private final PodmanUser user = PodmanUser.root();
    private final String stack = "dr" + UUID.randomUUID().toString().substring(0, 6);
    private Aixcl aixcl;

    @AfterEach
    void cleanUp() {
        user.podman("rm", "-f", stack + "-intruder");
        if (aixcl != null) {
            aixcl.cleanUp(stack);
        }
    }

    private List<String> failures(JsonNode report) {
        List<String> out = new ArrayList<>();
        for (JsonNode f : report.get("findings")) {
            if (f.get("severity").asText().equals("fail")) {
                out.add(f.get("check").asText() + " " + f.get("subject").asText() + ": " + f.get("message").asText());
            }
        }
        return out;
    }

    @Test
    void exposedListenersPrivilegedContainersEngineSocketsCredentialsAndLoosePermissionsAreAllFound() throws Exception {
        TestImages.busybox(user);
        aixcl = new Aixcl(user, "doctor");
        int port = TestImages.freeLoopbackPort();
        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", TestImages.freeLoopbackPort(), List.of(), ""));
        // Binds every interface: exactly what the loopback-only invariant forbids.
        s.put("web", TestStacks.httpService("web", port, List.of(), "").replace("127.0.0.1:" + port + "\", -h",
                "0.0.0.0:" + port + "\", -h"));
        Path stackFile = aixcl.write("stack.yaml", TestStacks.stack(stack, s, Map.of("p", List.of("inference", "web")), "p"));
        Aixcl.Run started = aixcl.run("stack", "start", "-f", stackFile.toString());
        assertThat(started.exit()).as(started.toString()).isZero();

        Path fakeSocket = aixcl.write("docker.sock", "");
        TestImages.Result intruder = user.podman("run", "-d", "--name", stack + "-intruder", "--privileged",
                "--label", "io.aixcl.stack=" + stack, "-e", "DB_PASSWORD=admin",
                "-v", fakeSocket + ":/var/run/docker.sock", TestImages.BUSYBOX, "sleep", "300");
        assertThat(intruder.ok()).as(intruder.output()).isTrue();
        Path socket = aixcl.home.resolve("run/aixcld.sock");
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));

        Aixcl.Run r = aixcl.run("doctor", "--json");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        List<String> failures = failures(Json.MAPPER.readTree(r.out()));
        assertThat(failures).anyMatch(f -> f.startsWith("listeners web: listens on 0.0.0.0:" + port));
        assertThat(failures).anyMatch(f -> f.startsWith("privileged " + stack + "-intruder"));
        assertThat(failures).anyMatch(f -> f.startsWith("engine-socket " + stack + "-intruder"));
        assertThat(failures).anyMatch(f -> f.equals("credentials " + stack + "-intruder: DB_PASSWORD is a well-known default"));
        assertThat(failures).anyMatch(f -> f.startsWith("permissions daemon socket") && f.contains("looser than rw-------"));
        assertThat(r.out()).doesNotContain("=admin");

        Aixcl.Run human = aixcl.run("doctor");
        assertThat(human.exit()).isEqualTo(3);
        assertThat(human.out()).contains("FAIL").contains("chmod 600 " + socket);
    }
}
