package io.aixcl.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.plan.ContainerSpecs;
import io.aixcl.core.secrets.SecretPolicies;
import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.core.secrets.SecretStore;
import io.aixcl.core.stack.RotationHook;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import io.aixcl.stackfile.StackFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's PostgreSQL rotation, against a real server (Debian's PostgreSQL; no postgres image can be pulled
 * here): a cluster initialised the way the official image does it (superuser {@code aixcl} with the delivered
 * password file, local connections trusted, TCP by SCRAM password), then the catalog's {@code postgres-role-sql}
 * rendered by the store, rewritten in place by the delivery, and run by the catalog's own hook argument list (its
 * container paths mapped to this machine's). Afterwards only the new password logs in over TCP, through the
 * catalog's pgpass template; reverting and running the hook again brings the old one back.
 */
class PostgresRoleRotationTest {
    private static final String INSTALL = "apt-get install -y postgresql";
    private static final String STACK = "aixcl";

    @TempDir Path data;
    @TempDir Path secretsDir;
    private EncryptedSecretStore store;
    private Path cluster;
    private Path bin;
    private int port;
    private Optional<String> runAs;

    @BeforeEach
    void openStore() {
        store = EncryptedSecretStore.open(data.resolve("secrets"), new KeySource.KeyFile(data.resolve("key")),
                new Argon2idKdf(64, 1, 1), Clock.systemUTC(), v -> { });
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        if (cluster != null) {
            run(asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", cluster.resolve("data").toString(),
                    "-m", "immediate", "stop")), Map.of());
            try (Stream<Path> all = Files.walk(cluster)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void catalogHookChangesTheRolePasswordSoThatOnlyTheNewOneLogsIn() throws Exception {
        StackDefinition catalog = StackFiles.catalog();
        SecretPolicies policies = catalog.secretPolicies();
        ServiceSpec postgres = runnableHere(catalog.service(ServiceName.of("postgres")));
        EngineMode rootful = new EngineMode("podman", false, uid());
        FileSecretDelivery delivery = new FileSecretDelivery(store, secretsDir, () -> rootful,
                CommandRunner.PROCESSES);
        delivery.deliver(STACK, List.of(postgres), policies);
        String before = new String(store.reveal("postgres-password"));
        startCluster(file(postgres, "postgres-password"));
        assertThat(logsIn(before, policies)).as("the initial password").isTrue();

        try (SecretStore.Rotation rotation = store.rotateRevertibly("postgres-password", policies)) {
            assertThat(rotation.changed()).extracting(SecretStore.SecretInfo::name).contains("postgres-password",
                    "postgres-role-sql");
            Path sql = file(postgres, "postgres-role-sql");
            Object inode = Files.getAttribute(sql, "unix:ino");
            delivery.rewriteForRunning(STACK, postgres, Set.of("postgres-password", "postgres-role-sql"));
            assertThat(Files.getAttribute(sql, "unix:ino")).as("same file, as a running container's mount sees it")
                    .isEqualTo(inode);
            String after = new String(store.reveal("postgres-password"));
            assertThat(after).isNotEqualTo(before).matches("[A-Za-z0-9_-]{32}");

            Result hook = runHook(postgres);
            assertThat(hook.exit()).as(hook.output()).isZero();
            assertThat(hook.output()).doesNotContain(after);
            assertThat(logsIn(after, policies)).as("the new password").isTrue();
            assertThat(logsIn(before, policies)).as("the old password").isFalse();
            assertThat(Files.readString(cluster.resolve("server.log"), StandardCharsets.UTF_8)).doesNotContain(after);

            // A failed hook elsewhere undoes the rotation: the previous value, and the hook run again, restore it.
            rotation.revert();
            delivery.rewriteForRunning(STACK, postgres, Set.of("postgres-password", "postgres-role-sql"));
            assertThat(new String(store.reveal("postgres-password"))).isEqualTo(before);
            assertThat(runHook(postgres).exit()).isZero();
            assertThat(logsIn(before, policies)).as("the old password, back").isTrue();
            assertThat(logsIn(after, policies)).as("the dropped new password").isFalse();
        }
    }

    /** The catalog's postgres, run as a user this machine has: the delivery must be able to give it the files. */
    private static ServiceSpec runnableHere(ServiceSpec s) throws IOException {
        return uid() == 0 ? s : s.withSecurity(s.capAdd(), s.readOnlyRootfs(), Optional.of(Long.toString(uid())));
    }

    private Path file(ServiceSpec s, String secret) {
        SecretRef ref = s.secrets().stream().filter(r -> r.name().equals(secret)).findFirst().orElseThrow();
        return ContainerSpecs.secretFile(secretsDir, STACK, s, ref);
    }

    /** The catalog's hook, with the container's paths (socket folder, port, mounted files) mapped to this test's. */
    private Result runHook(ServiceSpec postgres) throws Exception {
        RotationHook hook = postgres.secrets().stream().flatMap(r -> r.onRotate().stream()).findFirst().orElseThrow();
        List<String> argv = new ArrayList<>();
        argv.add(bin.resolve(hook.program()).toString());
        for (String arg : hook.exec().subList(1, hook.exec().size())) {
            String mapped = arg.replace("--host=/var/run/postgresql", "--host=" + cluster)
                    .replace("--port=5432", "--port=" + port);
            for (SecretRef ref : postgres.secrets()) {
                mapped = mapped.replace(ref.containerPath(), file(postgres, ref.name()).toString());
            }
            argv.add(mapped);
        }
        assertThat(argv).as("every container path was mapped").noneMatch(a -> a.contains("/run/secrets/")
                || a.contains("/var/run/postgresql") || a.endsWith("=5432"));
        // psql runs as the test's user: the secret files' folder is private to it, as the daemon keeps it.
        return run(argv, Map.of());
    }

    /** Logs in over TCP with SCRAM, the password read from the catalog's pgpass template, as Open WebUI does. */
    private boolean logsIn(String password, SecretPolicies policies) throws Exception {
        SecretPolicy.Template pgpass = (SecretPolicy.Template) policies.of("open-webui-pgpass");
        String line = new String(SecretValues.render(pgpass, name -> password.toCharArray()))
                .replace("127.0.0.1:5432:", "127.0.0.1:" + port + ":");
        Path passfile = Files.createTempFile(data, "pgpass", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passfile, line + "\n");
        Result r = run(List.of(bin.resolve("psql").toString(), "--no-psqlrc", "--no-password", "--host=127.0.0.1",
                "--port=" + port, "--username=aixcl", "--dbname=aixcl", "--tuples-only", "--command=select 42"),
                Map.of("PGPASSFILE", passfile.toString()));
        Files.delete(passfile);
        if (r.exit() != 0) {
            assertThat(r.output()).as("a refused login, not another failure")
                    .contains("password authentication failed");
        }
        return r.exit() == 0 && r.output().contains("42");
    }

    /** As the official image does: initdb with the password file, local trust, TCP by SCRAM. */
    private void startCluster(Path passwordFile) throws Exception {
        bin = binaries();
        runAs = uid() == 0 ? Optional.of("postgres") : Optional.empty();
        cluster = Files.createTempDirectory(Path.of("/tmp"), "aixcl-pg-rotate-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path pwfile = cluster.resolve("initial-password");
        Files.copy(passwordFile, pwfile);
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("r--------"));
        if (runAs.isPresent()) {
            var owner = cluster.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(runAs.get());
            Files.setOwner(cluster, owner);
            Files.setOwner(pwfile, owner);
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        runOrFail(asServerUser(List.of(bin.resolve("initdb").toString(), "-D", cluster.resolve("data").toString(),
                "-U", "aixcl", "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--no-sync")));
        Files.delete(pwfile);
        runOrFail(asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", cluster.resolve("data").toString(),
                "-w", "-t", "60", "-l", cluster.resolve("server.log").toString(), "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -k " + cluster + " -c fsync=off", "start")));
        runOrFail(asServerUser(List.of(bin.resolve("createdb").toString(), "--host=" + cluster, "--port=" + port,
                "--username=aixcl", "aixcl")));
    }

    private List<String> asServerUser(List<String> argv) {
        List<String> cmd = new ArrayList<>();
        runAs.ifPresent(u -> cmd.addAll(List.of("runuser", "-u", u, "--")));
        cmd.addAll(argv);
        return cmd;
    }

    private record Result(int exit, String output) {}

    private Result run(List<String> argv, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).directory(Path.of("/tmp").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private void runOrFail(List<String> argv) throws Exception {
        Result r = run(argv, Map.of());
        if (r.exit() != 0) {
            String log = cluster != null && Files.exists(cluster.resolve("server.log"))
                    ? Files.readString(cluster.resolve("server.log"), StandardCharsets.UTF_8) : "";
            throw new AssertionError(String.join(" ", argv) + " failed (exit " + r.exit() + "):\n" + r.output() + log);
        }
    }

    /** PostgreSQL's binaries, newest version first; missing ones fail with the command that installs them. */
    private static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Optional<Path> found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("psql")))
                        .max(Comparator.comparing(b -> b.getParent().getFileName().toString()));
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new AssertionError("PostgreSQL (initdb, pg_ctl, psql) is not installed under " + root
                + "; install it with: " + INSTALL);
    }

    private static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }
}
