package io.aixcl.it;

import io.aixcl.core.testing.TestImages.PodmanUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real CLI, {@code ./aixcl}, as a given user with its own AIXCL_HOME: what a user types. */
final class Aixcl {
    static final Path REPO = Path.of(System.getProperty("aixcl.repo", "..")).toAbsolutePath().normalize();

    final PodmanUser user;
    final Path home;

    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    Aixcl(PodmanUser user, String name) throws IOException {
        this.user = user;
        this.home = Files.createTempDirectory(Path.of("/tmp"), "aixcl-it-" + name + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (user.name().isPresent()) {
            UserPrincipal owner = home.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(user.name().get());
            Files.setOwner(home, owner);
        }
    }

    List<String> argv(String... args) {
        return argv(Map.of(), args);
    }

    /** With {@code env} added to the CLI's environment. */
    List<String> argv(Map<String, String> env, String... args) {
        // AIXCL_REBUILD=0: the build under test is the one Maven just assembled; never start a second build.
        // --default-signal=INT: Ctrl-C reaches the CLI as on a terminal, even when the test runner ignores SIGINT.
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT", "AIXCL_HOME=" + home,
                "AIXCL_REBUILD=0"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(REPO.resolve("aixcl").toString());
        cmd.addAll(List.of(args));
        return user.command(cmd);
    }

    Run run(String... args) {
        return run(Map.of(), args);
    }

    Run run(Map<String, String> env, String... args) {
        try {
            Path out = Files.createTempFile("aixcl-out", ".txt");
            Path err = Files.createTempFile("aixcl-err", ".txt");
            Process p = new ProcessBuilder(argv(env, args)).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("aixcl " + String.join(" ", args) + " did not finish in 180 s");
            }
            Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Process start(Path output, String... args) throws IOException {
        return new ProcessBuilder(argv(args)).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Writes a file the daemon (running as {@link #user}) can read. */
    Path write(String name, String text) throws IOException {
        Path f = home.resolve(name);
        Files.writeString(f, text);
        if (user.name().isPresent()) {
            Files.setOwner(f, home.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(user.name().get()));
        }
        return f;
    }

    /** Podman API services serving a socket under this home: the ones a daemon of this home started. */
    List<ProcessHandle> podmanServices() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .filter(c -> c.contains("system service") && c.contains(home.toString())).isPresent()).toList();
    }

    void cleanUp(String stack) {
        run("stack", "down", "--volumes", "--yes", "-f", home.resolve("stack.yaml").toString());
        run("daemon", "stop");
        user.podman("rm", "-f", "-a", "--filter", "label=io.aixcl.stack=" + stack);
    }
}
