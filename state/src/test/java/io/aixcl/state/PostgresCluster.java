package io.aixcl.state;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for one test class: {@code initdb} into a temp folder, {@code pg_ctl start} on a free
 * loopback port, password authentication (SCRAM) over TCP. PostgreSQL refuses to run as root, so as root it runs as
 * the {@code postgres} user that Debian's package creates.
 */
final class PostgresCluster implements AutoCloseable {
    static final String INSTALL = "apt-get install -y postgresql";
    static final String SUPERUSER = "aixcl";

    private final Path dir;
    private final Path bin;
    private final Optional<String> runAs;
    private final int port;
    private final Path passwordFile;
    private final String password;

    private PostgresCluster(Path dir, Path bin, Optional<String> runAs, int port, Path passwordFile, String password) {
        this.dir = dir;
        this.bin = bin;
        this.runAs = runAs;
        this.port = port;
        this.passwordFile = passwordFile;
        this.password = password;
    }

    static PostgresCluster start() throws IOException, InterruptedException {
        Path bin = binaries();
        Optional<String> runAs = isRoot() ? Optional.of("postgres") : Optional.empty();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "aixcl-pg-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String password = UUID.randomUUID().toString();
        Path pwfile = dir.resolve("password");
        Files.writeString(pwfile, password + "\n");
        if (runAs.isPresent()) {
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(runAs.get());
            Files.setOwner(dir, owner);
            Files.setOwner(pwfile, owner);
        }
        int port = freePort();
        PostgresCluster pg = new PostgresCluster(dir, bin, runAs, port, pwfile, password);
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", SUPERUSER,
                "--pwfile=" + pwfile, "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8",
                "--no-sync"));
        pg.run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60",
                "-l", dir.resolve("server.log").toString(), "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off", "start"));
        return pg;
    }

    /** A fresh, empty database on this server, as a JDBC URL without a password. */
    String createDatabase() throws SQLException {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + SUPERUSER;
    }

    Path passwordFile() {
        return passwordFile;
    }

    String password() {
        return password;
    }

    Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("password", password);
        return DriverManager.getConnection(url(database), p);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "stop"));
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void run(List<String> argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        runAs.ifPresent(u -> cmd.addAll(List.of("runuser", "-u", u, "--")));
        cmd.addAll(argv);
        Path out = Files.createTempFile("aixcl-pg", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .directory(dir.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                String log = Files.exists(dir.resolve("server.log"))
                        ? Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8) : "";
                throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n"
                        + Files.readString(out, StandardCharsets.UTF_8) + log);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** PostgreSQL's server binaries, newest version first; a missing install fails with the command that fixes it. */
    static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Optional<Path> bin = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparing(b -> versionOf(b.getParent())));
                if (bin.isPresent()) {
                    return bin.get();
                }
            }
        }
        throw new AssertionError("PostgreSQL's server binaries (initdb, pg_ctl) are not installed under " + root
                + "; install them with: " + INSTALL);
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean isRoot() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
