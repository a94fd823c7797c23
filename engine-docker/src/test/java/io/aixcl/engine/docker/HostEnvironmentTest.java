package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostEnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void currentUserIsTheOwnerOfTheFilesItCreates() throws Exception {
        Path file = Files.createFile(dir.resolve("mine"));
        assertThat(HostEnvironment.current().uid()).isEqualTo(((Number) Files.getAttribute(file, "unix:uid"))
                .longValue());
    }

    @Test
    void programsAreFoundOnTheInjectedPathOnlyWhenExecutable() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.createFile(a.resolve("podman"));
        Path executable = Files.createFile(b.resolve("podman"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        var host = new HostEnvironment(Map.of("PATH", a + "::" + b), 1000);
        assertThat(host.findOnPath("podman")).contains(executable);
        assertThat(host.findOnPath("docker")).isEmpty();
        assertThat(host.get("HOME")).isEmpty();
    }
}
