package io.aixcl.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Container images for tests, built locally because no registry is reachable: a static busybox in an otherwise
 * empty root filesystem, imported into the given user's Podman storage. About 2 MB and 0.3 s to build.
 */
public final class TestImages {
    public static final String BUSYBOX = "localhost/aixcl-test-busybox:1";
    /** Applets linked in the image; anything busybox offers can be added here. */
    static final List<String> APPLETS = List.of("sh", "httpd", "nc", "wget", "sleep", "true", "false", "cat", "echo",
            "mkdir", "ls", "id", "env", "kill", "ps", "touch", "rm", "seq", "date", "hostname", "grep", "head", "tail",
            "yes", "printf", "test", "timeout", "stat", "whoami");
    private static final String INSTALL_BUSYBOX = "apt-get install -y busybox-static";

    private TestImages() {}

    /**
     * The busybox image in {@code user}'s storage, imported if it is missing. Its default command sleeps;
     * {@code httpd -f -p 127.0.0.1:PORT -h /www} serves HTTP (run it with init: busybox as PID 1 ignores SIGTERM).
     */
    public static synchronized String busybox(PodmanUser user) {
        requireTool("podman", "apt-get install -y podman runc");
        if (user.podman("image", "exists", BUSYBOX).ok()) {
            return BUSYBOX;
        }
        Path busybox = staticBusybox();
        Path work = null;
        try {
            // World-readable under /tmp so a rootless user's podman can read the archive.
            work = Files.createTempDirectory(Path.of("/tmp"), "aixcl-image-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Path rootfs = Files.createDirectories(work.resolve("rootfs"));
            Path bin = Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(busybox, bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            for (String applet : APPLETS) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
            for (String dir : List.of("tmp", "www", "etc", "proc", "sys", "dev", "run")) {
                Files.createDirectories(rootfs.resolve(dir));
            }
            Files.writeString(rootfs.resolve("www/health"), "ok\n");
            Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/:/bin/false\n");
            Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnobody:x:65534:\n");
            Path tar = work.resolve("image.tar");
            runOrFail(List.of("tar", "--owner=0", "--group=0", "-C", rootfs.toString(), "-cf",
                    tar.toString(), "."));
            Files.setPosixFilePermissions(tar, PosixFilePermissions.fromString("rw-r--r--"));
            List<String> importArgs = new ArrayList<>(List.of("import", "--change", "ENV=PATH=/bin",
                    "--change", "CMD=[\"sleep\",\"3600\"]", tar.toString(), BUSYBOX));
            Result r = user.podman(importArgs.toArray(String[]::new));
            if (!r.ok()) {
                throw new AssertionError("podman import of " + BUSYBOX + " failed (" + r.exitCode() + "):\n"
                        + r.output());
            }
            return BUSYBOX;
        } catch (IOException e) {
            throw new AssertionError("cannot build " + BUSYBOX + ": " + e, e);
        } finally {
            deleteQuietly(work);
        }
    }

    /** Debian's busybox-static; a dynamically linked busybox would not run in an empty root filesystem. */
    static Path staticBusybox() {
        for (Path candidate : List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"))) {
            if (Files.isExecutable(candidate)) {
                if (!isStaticElf(candidate)) {
                    throw new AssertionError(candidate + " is dynamically linked; install the static one with: "
                            + INSTALL_BUSYBOX);
                }
                return candidate;
            }
        }
        throw new AssertionError("busybox is not installed; install it with: " + INSTALL_BUSYBOX);
    }

    /** A 64-bit little-endian ELF without a PT_INTERP program header needs no dynamic loader. */
    static boolean isStaticElf(Path file) {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(header, 0);
            if (header.getInt(0) != 0x464c457f || header.get(4) != 2) {
                return false;
            }
            long phoff = header.getLong(0x20);
            int phentsize = Short.toUnsignedInt(header.getShort(0x36));
            int phnum = Short.toUnsignedInt(header.getShort(0x38));
            ByteBuffer type = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < phnum; i++) {
                type.clear();
                ch.read(type, phoff + (long) i * phentsize);
                if (type.getInt(0) == 3) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp folder left behind is harmless.
        }
    }

    /**
     * Whose Podman a test talks to: root's (the JVM's own user), or an unprivileged user's rootless Podman, reached
     * by running podman as that user through {@code runuser} with its own runtime folder.
     */
    public record PodmanUser(Optional<String> name, Path home, Path runtimeDir) {

        /** The unprivileged user the rootless tests use; see {@link #rootless()} for how to create it. */
        public static final String ROOTLESS_USER = "aixcl-test";

        public static PodmanUser root() {
            return new PodmanUser(Optional.empty(), Path.of(System.getProperty("user.home")),
                    Path.of(Optional.ofNullable(System.getenv("XDG_RUNTIME_DIR")).orElse("/run")));
        }

        /**
         * The rootless user, with a private runtime folder under /tmp (there is no logind here to make
         * /run/user/UID). Fails with the commands that set the user up when it is missing.
         */
        public static PodmanUser rootless() {
            requireTool("runuser", "apt-get install -y util-linux");
            requireTool("newuidmap", "apt-get install -y uidmap");
            requireTool("slirp4netns", "apt-get install -y slirp4netns");
            String setup = "useradd -m " + ROOTLESS_USER + " && echo " + ROOTLESS_USER + ":200000:65536 >> /etc/subuid"
                    + " && echo " + ROOTLESS_USER + ":200000:65536 >> /etc/subgid, and copy"
                    + " /etc/containers/containers.conf to ~" + ROOTLESS_USER + "/.config/containers/";
            Path home = Path.of("/home", ROOTLESS_USER);
            try {
                if (!Files.isDirectory(home) || Files.readAllLines(Path.of("/etc/subuid")).stream()
                        .noneMatch(l -> l.startsWith(ROOTLESS_USER + ":"))) {
                    throw new AssertionError("rootless tests need the user " + ROOTLESS_USER + " with subordinate ids;"
                            + " as root run: " + setup);
                }
                UserPrincipalLookupService users = home.getFileSystem().getUserPrincipalLookupService();
                var owner = users.lookupPrincipalByName(ROOTLESS_USER);
                long uid = ((Number) Files.getAttribute(home, "unix:uid")).longValue();
                Path runtime = Path.of("/tmp", "aixcl-rootless-" + uid);
                if (!Files.isDirectory(runtime)) {
                    Files.createDirectories(runtime);
                }
                Files.setOwner(runtime, owner);
                Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
                return new PodmanUser(Optional.of(ROOTLESS_USER), home, runtime);
            } catch (IOException e) {
                throw new AssertionError("cannot prepare the rootless user " + ROOTLESS_USER + " (" + e + "); " + setup,
                        e);
            }
        }

        public boolean isRoot() {
            return name.isEmpty();
        }

        /** The argument list that runs {@code argv} as this user, with its runtime folder; no shell involved. */
        public List<String> command(List<String> argv) {
            if (name.isEmpty()) {
                return List.copyOf(argv);
            }
            List<String> full = new ArrayList<>(List.of("runuser", "-u", name.get(), "--", "env",
                    "XDG_RUNTIME_DIR=" + runtimeDir, "HOME=" + home, "PATH=/usr/local/bin:/usr/bin:/bin"));
            full.addAll(argv);
            return full;
        }

        /** Runs podman with {@code args} as this user; returns its exit code and output. */
        public Result podman(String... args) {
            List<String> argv = new ArrayList<>();
            argv.add("podman");
            argv.addAll(List.of(args));
            return run(command(argv));
        }
    }

    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    public static Optional<Path> onPath(String program) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }

    /** Fails (never skips) when {@code program} is missing, naming the command that installs it. */
    public static Path requireTool(String program, String installCommand) {
        return onPath(program).orElseThrow(() -> new AssertionError(program + " is not installed; install it with: "
                + installCommand));
    }

    /** Runs {@code argv} to completion (60 s at most), stdout and stderr merged. */
    public static Result run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).directory(Path.of("/tmp").toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", argv) + " did not finish within 60 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", argv), e);
        }
    }

    public static Result runOrFail(List<String> argv) {
        Result r = run(argv);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", argv) + " failed with exit code " + r.exitCode() + ":\n"
                    + r.output());
        }
        return r;
    }

    /**
     * Ports free on 127.0.0.1 at the moment of asking. All are held open together while choosing, so the same
     * port is not returned twice.
     */
    public static List<Integer> freeLoopbackPorts(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new AssertionError("cannot find a free loopback port", e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Closing a probe socket.
                }
            }
        }
    }

    public static int freeLoopbackPort() {
        return freeLoopbackPorts(1).getFirst();
    }
}
