package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The daemon serves its own user only: another user reaching its socket (here: root) is refused, and it says so. */
class AccessIT {
    private Aixcl owner;

    @AfterEach
    void stop() {
        if (owner != null) {
            owner.run("daemon", "stop");
        }
    }

    @Test
    void aClientRunningAsAnotherUserIsRefusedAndTheRefusalIsRecorded() throws Exception {
        owner = new Aixcl(PodmanUser.rootless(), "access");
        Aixcl.Run started = owner.run("daemon", "start");
        assertThat(started.exit()).as(started.toString()).isZero();

        // Root can open any socket file; the daemon must still refuse it by its kernel credentials.
        List<String> asRoot = new ArrayList<>(List.of("env", "AIXCL_HOME=" + owner.home, "AIXCL_REBUILD=0",
                Aixcl.REPO.resolve("aixcl").toString(), "profiles"));
        Process p = new ProcessBuilder(asRoot).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isEqualTo(9);
        assertThat(out).contains("access refused").contains("may not use this daemon");

        Path log = owner.home.resolve("data/logs/aixcld.log");
        assertThat(Files.readString(log)).contains("refused GET /v1/profiles from user root");
        assertThat(owner.run("profiles").exit()).as("the owner still gets in").isZero();
        Aixcl.Run audit = owner.run("audit", "tail", "--json");
        assertThat(audit.exit()).as(audit.toString()).isZero();
        assertThat(audit.out()).contains("\"action\" : \"access.refused\"").contains("\"actor\" : \"uid:root\"")
                .contains("\"target\" : \"GET /v1/profiles\"").contains("\"outcome\" : \"refused\"");
    }
}
