package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretMountPolicyTest {
    @TempDir
    Path dir;

    @Test
    void aFileInsideTheSecretsFolderIsAllowed() throws Exception {
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Path file = Files.writeString(secrets.resolve("db_password"), "x");
        assertThat(new SecretMountPolicy(secrets).check(file.toString(), "/run/secrets/db_password"))
                .isEqualTo(file.toRealPath());
    }

    @Test
    void anythingElseIsRefused() throws Exception {
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.createDirectories(secrets.resolve("sub"));
        Path outside = Files.writeString(dir.resolve("outside"), "x");
        Files.createSymbolicLink(secrets.resolve("link"), outside);
        var policy = new SecretMountPolicy(secrets);

        for (String hostFile : new String[] {"/var/run/docker.sock", "/etc/passwd", outside.toString(),
                secrets + "/../outside", "secrets/db", secrets + "/link", secrets + "/sub", secrets.toString(),
                secrets + "/missing"}) {
            assertThatThrownBy(() -> policy.check(hostFile, "/run/secrets/x"))
                    .as(hostFile)
                    .isInstanceOf(AixclException.InvalidInput.class)
                    .hasMessageContaining("refused");
        }
    }
}
