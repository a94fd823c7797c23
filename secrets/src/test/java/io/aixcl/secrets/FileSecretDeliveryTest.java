package io.aixcl.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.secrets.SecretPolicies;
import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.core.stack.Role;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSecretDeliveryTest {
    private static final SecretPolicies POLICIES = new SecretPolicies(Map.of(
            "pgpass", new SecretPolicy.Template("127.0.0.1:5432:*:aixcl:${db-password}")));

    @TempDir Path data;
    @TempDir Path secretsDir;
    private EncryptedSecretStore store;
    private final List<List<String>> commands = new ArrayList<>();
    private CommandRunner.Result commandResult = new CommandRunner.Result(0, "");

    @BeforeEach
    void openStore() {
        store = EncryptedSecretStore.open(data.resolve("secrets"), new KeySource.KeyFile(data.resolve("key")),
                new Argon2idKdf(64, 1, 1), Clock.systemUTC(), v -> { });
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private FileSecretDelivery delivery(EngineMode mode) {
        return new FileSecretDelivery(store, secretsDir, () -> mode, argv -> {
            commands.add(argv);
            return commandResult;
        });
    }

    private static ServiceSpec service(String name, String user, String... secrets) {
        List<SecretRef> refs = new ArrayList<>();
        for (String s : secrets) {
            refs.add(new SecretRef(s, s.toUpperCase().replace('-', '_') + "_FILE"));
        }
        ServiceSpec base = ServiceSpec.minimal(name, Role.OPERATIONAL, "localhost/x:1");
        return new ServiceSpec(base.name(), base.role(), "", base.image(), List.of(), Map.of(), refs, List.of(),
                List.of(), List.of(), Optional.empty(), List.of(), base.resources(), base.restart(), List.of(), false,
                Optional.ofNullable(user), base.stopTimeout(), Optional.empty(), true);
    }

    private static String mode(Path f) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
    }

    @Test
    void eachSecretBecomesAReadOnlyFileInTheContainersFolder() throws IOException {
        delivery(new EngineMode("Podman", true, 1000)).deliver("st", List.of(service("web", null, "db-password",
                "pgpass")), POLICIES);

        Path folder = secretsDir.resolve("st-web");
        assertThat(Files.readString(folder.resolve("db-password"))).isEqualTo(new String(store.reveal("db-password")));
        assertThat(Files.readString(folder.resolve("pgpass")))
                .isEqualTo("127.0.0.1:5432:*:aixcl:" + new String(store.reveal("db-password")));
        assertThat(mode(folder.resolve("db-password"))).isEqualTo("r--------");
        assertThat(mode(folder)).isEqualTo("rwx------");
        try (var files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("db-password", "pgpass");
        }
        assertThat(commands).as("a root container on rootless Podman is the daemon's own user").isEmpty();
    }

    @Test
    void rootlessPodmanHandsFilesToTheSubordinateUserInOneUnshareCall() {
        delivery(new EngineMode("Podman", true, 1000)).deliver("st", List.of(service("db", "999:998", "db-password",
                "pgpass")), POLICIES);

        assertThat(commands).hasSize(1);
        List<String> argv = commands.getFirst();
        assertThat(argv.subList(0, 4)).containsExactly("podman", "unshare", "chown", "999:998");
        assertThat(argv.subList(4, argv.size())).hasSize(2)
                .allMatch(p -> p.startsWith(secretsDir.resolve("st-db").resolve(".").toString()));
        assertThat(String.join(" ", argv)).doesNotContain(new String(store.reveal("db-password")));
    }

    @Test
    void failedUnshareLeavesNoFileBehind() throws IOException {
        commandResult = new CommandRunner.Result(125, "Error: cannot find newuidmap");
        assertThatThrownBy(() -> delivery(new EngineMode("Podman", true, 1000)).deliver("st",
                List.of(service("db", "999", "db-password")), POLICIES))
                .isInstanceOf(AixclException.Failed.class)
                .hasMessageContaining("podman unshare chown 999 failed (exit 125): Error: cannot find newuidmap");
        try (var files = Files.list(secretsDir.resolve("st-db"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void rootfulEngineAsRootChownsToTheContainersUser() throws IOException {
        assertThat(HostUid.current()).as("this test needs root, as the test host provides").isZero();
        delivery(new EngineMode("Podman", false, 0)).deliver("st", List.of(service("db", "999:998", "db-password")),
                POLICIES);
        Path f = secretsDir.resolve("st-db/db-password");
        assertThat(Files.getAttribute(f, "unix:uid")).isEqualTo(999);
        assertThat(Files.getAttribute(f, "unix:gid")).isEqualTo(998);
        assertThat(mode(f)).isEqualTo("r--------");
        assertThat(commands).isEmpty();
    }

    @Test
    void twoServicesSharingASecretGetACopyEachOwnedByTheirOwnUser() throws IOException {
        assertThat(HostUid.current()).isZero();
        delivery(new EngineMode("Podman", false, 0)).deliver("st", List.of(service("db", "999:999", "db-password"),
                service("exporter", "65534:65534", "db-password")), POLICIES);
        assertThat(Files.getAttribute(secretsDir.resolve("st-db/db-password"), "unix:uid")).isEqualTo(999);
        assertThat(Files.getAttribute(secretsDir.resolve("st-exporter/db-password"), "unix:uid")).isEqualTo(65534);
        assertThat(Files.readString(secretsDir.resolve("st-db/db-password")))
                .isEqualTo(Files.readString(secretsDir.resolve("st-exporter/db-password")));
    }

    @Test
    void namedUserIsRefusedBecauseItsUidIsUnknownBeforeTheContainerExists() {
        assertThatThrownBy(() -> delivery(new EngineMode("Podman", true, 1000)).deliver("st",
                List.of(service("db", "postgres", "db-password")), POLICIES))
                .isInstanceOf(AixclException.InvalidInput.class)
                .hasMessageContaining("set 'user' to numeric 'uid:gid'");
    }

    @Test
    void secretTheServiceNoLongerDeclaresIsRemoved() {
        FileSecretDelivery d = delivery(new EngineMode("Podman", true, 1000));
        d.deliver("st", List.of(service("web", null, "db-password", "pgpass")), POLICIES);
        d.deliver("st", List.of(service("web", null, "db-password")), POLICIES);
        assertThat(secretsDir.resolve("st-web/pgpass")).doesNotExist();
        assertThat(secretsDir.resolve("st-web/db-password")).exists();
    }

    @Test
    void rewriteForRunningKeepsTheSameFileSoAMountedCopySeesTheNewValue() throws IOException {
        ServiceSpec web = service("web", null, "db-password", "pgpass");
        FileSecretDelivery d = delivery(new EngineMode("Podman", true, 1000));
        d.deliver("st", List.of(web), POLICIES);
        Path pgpass = secretsDir.resolve("st-web/pgpass");
        Path password = secretsDir.resolve("st-web/db-password");
        Object inode = Files.getAttribute(pgpass, "unix:ino");
        Object passwordInode = Files.getAttribute(password, "unix:ino");
        String before = Files.readString(password);

        store.rotate("db-password", POLICIES);
        d.rewriteForRunning("st", web, java.util.Set.of("pgpass"));

        assertThat(Files.getAttribute(pgpass, "unix:ino")).isEqualTo(inode);
        assertThat(Files.readString(pgpass)).isEqualTo("127.0.0.1:5432:*:aixcl:"
                + new String(store.reveal("db-password")));
        assertThat(mode(pgpass)).isEqualTo("r--------");
        assertThat(Files.readString(password)).as("only the secrets asked for").isEqualTo(before);
        assertThat(Files.getAttribute(password, "unix:ino")).isEqualTo(passwordInode);
    }

    @Test
    void rewriteForRunningOnRootlessPodmanCopiesInsideTheUserNamespaceAndLeavesNoTemporaryFile()
            throws IOException {
        ServiceSpec db = service("db", "999", "db-password");
        FileSecretDelivery d = delivery(new EngineMode("Podman", true, 1000));
        d.deliver("st", List.of(db), POLICIES);
        commands.clear();

        d.rewriteForRunning("st", db, java.util.Set.of("db-password"));

        assertThat(commands).hasSize(1);
        List<String> argv = commands.getFirst();
        Path target = secretsDir.resolve("st-db/db-password");
        assertThat(argv.subList(0, 3)).containsExactly("podman", "unshare", "cp");
        assertThat(argv.getLast()).isEqualTo(target.toString());
        assertThat(String.join(" ", argv)).doesNotContain(new String(store.reveal("db-password")));
        try (var files = Files.list(target.getParent())) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("db-password");
        }
    }

    @Test
    void rewriteForRunningRefusesAFileTheContainerCannotHaveMounted() {
        ServiceSpec web = service("web", null, "db-password");
        assertThatThrownBy(() -> delivery(new EngineMode("Podman", true, 1000)).rewriteForRunning("st", web,
                java.util.Set.of("db-password")))
                .isInstanceOf(AixclException.Failed.class)
                .hasMessageContaining("its container was created before it declared that secret; restart the service");
    }

    @Test
    void withdrawRemovesTheContainersFolder() {
        FileSecretDelivery d = delivery(new EngineMode("Podman", true, 1000));
        d.deliver("st", List.of(service("web", null, "db-password")), POLICIES);
        d.withdraw("st", List.of(service("web", null, "db-password")));
        assertThat(secretsDir.resolve("st-web")).doesNotExist();
    }

    @Test
    void servicesWithoutSecretsNeedNoEngine() {
        new FileSecretDelivery(store, secretsDir, () -> {
            throw new AssertionError("engine asked");
        }, argv -> {
            throw new AssertionError("command run");
        }).deliver("st", List.of(service("plain", "postgres")), POLICIES);
        assertThat(secretsDir.resolve("st-plain")).doesNotExist();
    }

    @Test
    void ownershipFollowsEngineModeAndUser() {
        ContainerUser root = ContainerUser.ROOT;
        ContainerUser pg = new ContainerUser(999, java.util.OptionalLong.of(999));
        assertThat(Ownership.forContainer(new EngineMode("Podman", true, 1000), root, "s"))
                .isEqualTo(new Ownership.Keep());
        assertThat(Ownership.forContainer(new EngineMode("Podman", true, 1000), pg, "s"))
                .isEqualTo(new Ownership.PodmanUnshareChown(pg));
        assertThat(Ownership.forContainer(new EngineMode("Podman", false, 0), pg, "s"))
                .isEqualTo(new Ownership.Chown(pg));
        assertThat(Ownership.forContainer(new EngineMode("Docker", false, 0), root, "s"))
                .isEqualTo(new Ownership.Keep());
        assertThatThrownBy(() -> Ownership.forContainer(new EngineMode("Docker", false, 1000), pg, "s"))
                .hasMessageContaining("aixcld runs as uid 1000 and cannot give it a file");
        assertThatThrownBy(() -> Ownership.forContainer(new EngineMode("Docker", true, 1000), pg, "s"))
                .hasMessageContaining("only on rootless Podman or a rootful engine");
    }

    @Test
    void containerUserIsParsedFromTheServiceSpec() {
        assertThat(ContainerUser.of(service("a", null))).isEqualTo(ContainerUser.ROOT);
        assertThat(ContainerUser.of(service("a", "5050:0")).chownSpec()).isEqualTo("5050:0");
        assertThat(ContainerUser.of(service("a", "472")).chownSpec()).isEqualTo("472");
        assertThat(ContainerUser.of(service("a", "root")).isRoot()).isTrue();
    }

    /** The uid this JVM runs as. */
    static final class HostUid {
        static long current() throws IOException {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        }
    }
}
