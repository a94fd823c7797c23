package io.aixcl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher (./aixcl, run by bash) rebuilds when a pom or a src/main file is newer than the last build, and only
 * then. It runs on a copy of the repository's layout whose Maven wrapper and JDK are scripts that record what they
 * were asked (a real build takes a minute and would rewrite the jars other tests use); the launcher is the real one.
 */
@EnabledOnOs(OS.LINUX)
class LauncherRebuildTest {
    @TempDir
    Path root;

    private Path builds;
    private Path source;
    private final Instant old = Instant.now().minusSeconds(3600);

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void layout() throws IOException {
        Files.copy(Path.of("..", "aixcl"), root.resolve("aixcl"));
        Files.createDirectories(root.resolve("scripts/lib"));
        Files.copy(Path.of("..", "scripts", "lib", "jdk.sh"), root.resolve("scripts/lib/jdk.sh"));
        builds = root.resolve("builds.txt");
        // The wrapper "builds": records the call and rewrites the jars, as a package does.
        executable(root.resolve("mvnw"), """
                #!/usr/bin/env bash
                echo "$*" >> builds.txt
                touch dist/target/aixcl/lib/aixcl-cli.jar dist/target/aixcl/lib/aixcl-daemon.jar
                """);
        Path jdk = root.resolve("jdk");
        Files.createDirectories(jdk.resolve("lib"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        Files.writeString(jdk.resolve("lib/modules"), "");
        // "java" prints its arguments and the descriptors it holds.
        executable(jdk.resolve("bin/java"), """
                #!/usr/bin/env bash
                echo "$*" >> "${0%/jdk/bin/java}/java-calls.txt"
                echo "java $*"
                echo "fds $(ls /proc/$$/fd | tr '\\n' ' ')"
                """);
        executable(jdk.resolve("bin/javac"), "#!/usr/bin/env bash\n");
        write("pom.xml", old);
        write("cli/pom.xml", old);
        source = write("cli/src/main/java/io/aixcl/cli/Main.java", old);
        write("dist/target/aixcl/lib/aixcl-cli.jar", old.plusSeconds(60));
        write("dist/target/aixcl/lib/aixcl-daemon.jar", old.plusSeconds(60));
    }

    @Test
    void currentJarsStartTheCliWithoutABuild() throws Exception {
        Run r = run(Map.of(), "stack", "status", "--json");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("io.aixcl.cli.Main stack status --json");
        // The freshness check's pipe (bash numbers such descriptors from 10; it keeps the script on 255, and the
        // stub's own $(...) is on 3) is not left open to the CLI.
        String fds = r.out().lines().filter(l -> l.startsWith("fds ")).findFirst().orElseThrow();
        assertThat(fds.substring(4).trim().split(" ")).contains("0", "1", "2")
                .allSatisfy(fd -> assertThat(Integer.parseInt(fd)).matches(n -> n < 10 || n == 255, "not the pipe"));
        assertThat(r.err()).doesNotContain("building");
        assertThat(builds).doesNotExist();
    }

    @Test
    void anEditedSourceIsBuiltOnceThenTheBuildIsCurrent() throws Exception {
        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
        Run first = run(Map.of(), "--version");
        assertThat(first.err()).contains("aixcl: building (sources changed");
        assertThat(first.out()).contains("io.aixcl.cli.Main --version");
        assertThat(Files.readAllLines(builds)).containsExactly("-B -q -DskipTests -pl dist -am package");

        Run second = run(Map.of(), "--version");
        assertThat(second.err()).doesNotContain("building");
        assertThat(second.out()).contains("io.aixcl.cli.Main --version");
        assertThat(Files.readAllLines(builds)).hasSize(1);
    }

    @Test
    void anEditedPomOrANewSourceFileIsBuilt() throws Exception {
        Files.setLastModifiedTime(root.resolve("cli/pom.xml"), FileTime.from(Instant.now()));
        assertThat(run(Map.of(), "--version").err()).contains("aixcl: building (sources changed");
        write("cli/src/main/resources/new.properties", Instant.now().plusSeconds(1));
        assertThat(run(Map.of(), "--version").err()).contains("aixcl: building (sources changed");
        assertThat(Files.readAllLines(builds)).hasSize(2);
    }

    @Test
    void aixclRebuildZeroNeverBuildsAndOneAlwaysDoes() throws Exception {
        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
        Run never = run(Map.of("AIXCL_REBUILD", "0"), "--version");
        assertThat(never.err()).doesNotContain("building");
        assertThat(never.out()).contains("io.aixcl.cli.Main --version");
        assertThat(builds).doesNotExist();

        Files.setLastModifiedTime(source, FileTime.from(old));
        assertThat(run(Map.of("AIXCL_REBUILD", "1"), "--version").err()).contains("aixcl: building (AIXCL_REBUILD=1");
        assertThat(Files.readAllLines(builds)).hasSize(1);
    }

    @Test
    void aMissingJarIsAFirstBuild() throws Exception {
        Files.delete(root.resolve("dist/target/aixcl/lib/aixcl-daemon.jar"));
        Run r = run(Map.of(), "--version");
        assertThat(r.err()).contains("aixcl: building (first run");
        assertThat(Files.readAllLines(builds)).hasSize(1);
    }

    @Test
    void aBuildMakesTheAotCacheBeTrainedAgain() throws Exception {
        Path calls = root.resolve("java-calls.txt");
        run(Map.of("AIXCL_AOT", ""), "--version"); // no cache yet: trained, then run
        run(Map.of("AIXCL_AOT", ""), "--version"); // current: run only
        assertThat(Files.readAllLines(calls)).hasSize(3).first().asString().contains("io.aixcl.cli.AotTraining");
        assertThat(Files.readAllLines(calls).get(2)).contains("io.aixcl.cli.Main --version");

        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));
        assertThat(run(Map.of("AIXCL_AOT", ""), "--version").err()).contains("aixcl: building (sources changed");
        List<String> after = Files.readAllLines(calls).subList(3, Files.readAllLines(calls).size());
        assertThat(after).hasSize(2);
        assertThat(after.get(0)).contains("io.aixcl.cli.AotTraining");
        assertThat(after.get(1)).contains("io.aixcl.cli.Main --version");
    }

    /** The launcher, as a user runs it, with the stub JDK and, unless {@code env} says otherwise, no AOT cache. */
    private Run run(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().addAll(List.of("bash", root.resolve("aixcl").toString()));
        pb.command().addAll(List.of(args));
        pb.environment().keySet().removeIf(k -> k.startsWith("AIXCL_") || k.startsWith("JDK_JAVA")
                || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().put("JAVA_HOME", root.resolve("jdk").toString());
        pb.environment().put("AIXCL_AOT", "0");
        pb.environment().putAll(env);
        pb.directory(root.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private Path write(String relative, Instant mtime) throws IOException {
        Path f = root.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, relative);
        Files.setLastModifiedTime(f, FileTime.from(mtime));
        return f;
    }

    private static void executable(Path f, String text) throws IOException {
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
