package io.aixcl.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aixcl.core.AixclException;
import io.aixcl.core.secrets.SecretPolicies;
import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.core.secrets.SecretStore;
import io.aixcl.core.secrets.SecretStore.SecretInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedSecretStoreTest {
    /** Cheap parameters: the tests pin behaviour, not cost. */
    private static final Argon2idKdf FAST_KDF = new Argon2idKdf(64, 1, 1);
    private static final SecretPolicies CATALOG_LIKE = new SecretPolicies(Map.of(
            "postgres-password", new SecretPolicy.RandomPassword(32),
            "webui-key", new SecretPolicy.HexKey(32),
            "pgpass", new SecretPolicy.Template("127.0.0.1:5432:*:aixcl:${postgres-password}")));

    @TempDir Path data;
    private final List<String> seen = new ArrayList<>();
    private Instant now = Instant.parse("2026-01-02T03:04:05Z");

    private EncryptedSecretStore open() {
        return open(new KeySource.KeyFile(data.resolve("secrets.key")));
    }

    private EncryptedSecretStore open(KeySource source) {
        Clock clock = new Clock() {
            @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now; }
        };
        return EncryptedSecretStore.open(data.resolve("secrets"), source, FAST_KDF, clock,
                v -> seen.add(new String(v)));
    }

    private static String reveal(EncryptedSecretStore s, String name) {
        return new String(s.reveal(name));
    }

    private Path file(String name) {
        return data.resolve("secrets").resolve(name + ".secret");
    }

    @Test
    void generatedSecretRoundTripsAndNeverLandsOnDiskInPlaintext() throws IOException {
        try (var store = open()) {
            SecretInfo info = store.ensure("postgres-password", CATALOG_LIKE);
            String value = reveal(store, "postgres-password");
            assertThat(info).isEqualTo(new SecretInfo("postgres-password", now, null));
            assertThat(value).hasSize(32).matches("[A-Za-z0-9_-]{32}");
            assertThat(Files.readString(file("postgres-password"))).doesNotContain(value);
            assertThat(Files.readString(data.resolve("secrets.key"), StandardCharsets.ISO_8859_1)).doesNotContain(value);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file("postgres-password"))))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets"))))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets.key"))))
                    .isEqualTo("rw-------");
            assertThat(Files.size(data.resolve("secrets.key"))).isEqualTo(32);
        }
        try (var reopened = open()) {
            assertThat(reopened.list()).extracting(SecretInfo::name).containsExactly("postgres-password");
        }
    }

    @Test
    void ensureLeavesAnExistingSecretAsItIs() {
        try (var store = open()) {
            store.ensure("postgres-password", CATALOG_LIKE);
            String first = reveal(store, "postgres-password");
            now = now.plusSeconds(60);
            assertThat(store.ensure("postgres-password", CATALOG_LIKE).created()).isEqualTo(now.minusSeconds(60));
            assertThat(reveal(store, "postgres-password")).isEqualTo(first);
        }
    }

    @Test
    void eachPolicyMakesItsKindOfValueAndNoTwoValuesAreAlike() {
        try (var store = open()) {
            store.ensure("webui-key", CATALOG_LIKE);
            store.ensure("undeclared", CATALOG_LIKE);
            assertThat(reveal(store, "webui-key")).matches("[0-9a-f]{64}");
            assertThat(reveal(store, "undeclared")).matches("[A-Za-z0-9_-]{32}");
            assertThat(reveal(store, "undeclared")).isNotEqualTo(reveal(store, "webui-key"));
        }
    }

    @Test
    void derivedSecretIsMadeFromItsSourceAndFollowsItsRotation() {
        try (var store = open()) {
            store.ensure("pgpass", CATALOG_LIKE);
            String password = reveal(store, "postgres-password");
            assertThat(reveal(store, "pgpass")).isEqualTo("127.0.0.1:5432:*:aixcl:" + password);

            now = now.plusSeconds(3600);
            List<SecretInfo> changed = store.rotate("postgres-password", CATALOG_LIKE);

            String rotated = reveal(store, "postgres-password");
            assertThat(rotated).isNotEqualTo(password);
            assertThat(reveal(store, "pgpass")).isEqualTo("127.0.0.1:5432:*:aixcl:" + rotated);
            assertThat(changed).extracting(SecretInfo::name).containsExactly("postgres-password", "pgpass");
            assertThat(changed).extracting(SecretInfo::rotated).containsOnly(now);
        }
    }

    @Test
    void revertedRotationPutsEveryPreviousValueBackAsNewerVersions() throws IOException {
        try (var store = open()) {
            store.ensure("pgpass", CATALOG_LIKE);
            String password = reveal(store, "postgres-password");
            String pgpass = reveal(store, "pgpass");
            now = now.plusSeconds(60);
            try (SecretStore.Rotation rotation = store.rotateRevertibly("postgres-password", CATALOG_LIKE)) {
                assertThat(rotation.changed()).extracting(SecretInfo::name).containsExactly("postgres-password",
                        "pgpass");
                String rotated = reveal(store, "postgres-password");
                assertThat(rotated).isNotEqualTo(password);
                long versionAfterRotation = version("postgres-password");

                now = now.plusSeconds(60);
                List<SecretInfo> reverted = rotation.revert();

                assertThat(reverted).extracting(SecretInfo::name).containsExactly("postgres-password", "pgpass");
                assertThat(reverted).extracting(SecretInfo::rotated).containsOnly(now);
                assertThat(reveal(store, "postgres-password")).isEqualTo(password);
                assertThat(reveal(store, "pgpass")).isEqualTo(pgpass);
                assertThat(version("postgres-password")).as("a version never goes back")
                        .isEqualTo(versionAfterRotation + 1);
                assertThatThrownBy(rotation::revert).isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Test
    void closedRotationKeepsTheNewValueAndCannotBeReverted() {
        try (var store = open()) {
            store.ensure("postgres-password", CATALOG_LIKE);
            String password = reveal(store, "postgres-password");
            SecretStore.Rotation rotation = store.rotateRevertibly("postgres-password", CATALOG_LIKE);
            rotation.close();
            assertThatThrownBy(rotation::revert).isInstanceOf(IllegalStateException.class);
            assertThat(reveal(store, "postgres-password")).isNotEqualTo(password);
        }
    }

    private long version(String name) throws IOException {
        return StoreJson.MAPPER.readTree(file(name).toFile()).get("version").asLong();
    }

    @Test
    void changedTemplateRewritesTheDerivedSecretOnTheNextEnsure() {
        try (var store = open()) {
            store.ensure("pgpass", CATALOG_LIKE);
            var changed = new SecretPolicies(Map.of("pgpass",
                    new SecretPolicy.Template("localhost:5432:*:aixcl:${postgres-password}")));
            store.ensure("pgpass", changed);
            assertThat(reveal(store, "pgpass")).startsWith("localhost:5432:*:aixcl:")
                    .endsWith(reveal(store, "postgres-password"));
        }
    }

    @Test
    void derivedSecretCannotBeRotatedByItself() {
        try (var store = open()) {
            store.ensure("pgpass", CATALOG_LIKE);
            assertThatThrownBy(() -> store.rotate("pgpass", CATALOG_LIKE))
                    .isInstanceOf(AixclException.InvalidInput.class)
                    .hasMessage("secret 'pgpass' is derived from postgres-password: rotate that and it follows");
        }
    }

    @Test
    void rotatingAnUnknownSecretIsNotFound() {
        try (var store = open()) {
            assertThatThrownBy(() -> store.rotate("nope", CATALOG_LIKE)).isInstanceOf(AixclException.NotFound.class);
            assertThatThrownBy(() -> store.reveal("nope")).isInstanceOf(AixclException.NotFound.class);
        }
    }

    @Test
    void rotationReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
        try (var store = open()) {
            store.ensure("postgres-password", CATALOG_LIKE);
            byte[] before = Files.readAllBytes(file("postgres-password"));
            store.rotate("postgres-password", CATALOG_LIKE);
            assertThat(Files.readAllBytes(file("postgres-password"))).isNotEqualTo(before);
            try (Stream<Path> files = Files.list(data.resolve("secrets"))) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("keyring.json", "postgres-password.secret");
            }
            assertThat(Files.readString(file("postgres-password"))).contains("\"version\":2");
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileInPlace() throws IOException {
        Path target = data.resolve("f");
        Files.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFiles.write(target, "new".getBytes(), temp -> {
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(target)).isEqualTo("old");
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void flippedByteIsReportedPreciselyAndTheFileIsKept() throws IOException {
        try (var store = open()) {
            store.ensure("postgres-password", CATALOG_LIKE);
            ObjectNode json = (ObjectNode) StoreJson.MAPPER.readTree(file("postgres-password").toFile());
            byte[] ciphertext = json.get("ciphertext").binaryValue();
            ciphertext[3] ^= 1;
            json.put("ciphertext", ciphertext);
            Files.write(file("postgres-password"), StoreJson.MAPPER.writeValueAsBytes(json));
            byte[] tampered = Files.readAllBytes(file("postgres-password"));

            assertThatThrownBy(() -> store.reveal("postgres-password"))
                    .isInstanceOf(AixclException.Failed.class)
                    .hasMessageContaining("secret 'postgres-password' in " + file("postgres-password") + " is damaged")
                    .hasMessageContaining("does not decrypt")
                    .hasMessageContaining("left as it is");
            assertThatThrownBy(() -> store.rotate("postgres-password", CATALOG_LIKE))
                    .isInstanceOf(AixclException.Failed.class);
            assertThat(Files.readAllBytes(file("postgres-password"))).isEqualTo(tampered);
        }
    }

    @Test
    void fileCopiedOverAnotherSecretDoesNotDecryptEvenWithItsNameChanged() throws IOException {
        try (var store = open()) {
            store.ensure("a-secret", CATALOG_LIKE);
            store.ensure("b-secret", CATALOG_LIKE);
            Files.copy(file("a-secret"), file("b-secret"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> store.reveal("b-secret")).hasMessageContaining("it holds secret 'a-secret'");

            ObjectNode json = (ObjectNode) StoreJson.MAPPER.readTree(file("b-secret").toFile());
            json.put("name", "b-secret");
            Files.write(file("b-secret"), StoreJson.MAPPER.writeValueAsBytes(json));
            assertThatThrownBy(() -> store.reveal("b-secret")).hasMessageContaining("does not decrypt");
        }
    }

    @Test
    void editedDatesOrVersionDoNotDecrypt() throws IOException {
        try (var store = open()) {
            store.ensure("a-secret", CATALOG_LIKE);
            ObjectNode json = (ObjectNode) StoreJson.MAPPER.readTree(file("a-secret").toFile());
            json.put("version", 7);
            Files.write(file("a-secret"), StoreJson.MAPPER.writeValueAsBytes(json));
            assertThatThrownBy(() -> store.reveal("a-secret")).hasMessageContaining("does not decrypt");
        }
    }

    @Test
    void garbageFileIsNamedInTheError() throws IOException {
        try (var store = open()) {
            store.ensure("a-secret", CATALOG_LIKE);
            Files.writeString(file("a-secret"), "{not json");
            assertThatThrownBy(store::list).isInstanceOf(AixclException.Failed.class)
                    .hasMessageContaining("secret 'a-secret' in " + file("a-secret") + " is damaged: it is not a "
                            + "secret file");
            assertThatThrownBy(() -> store.ensure("a-secret", CATALOG_LIKE)).isInstanceOf(AixclException.Failed.class);
            assertThat(Files.readString(file("a-secret"))).isEqualTo("{not json");
        }
    }

    @Test
    void anotherKeyFileIsRefusedAsTheWrongKey() throws IOException {
        try (var store = open()) {
            store.ensure("a-secret", CATALOG_LIKE);
        }
        byte[] other = new byte[32];
        other[0] = 1;
        Files.write(data.resolve("secrets.key"), other);
        assertThatThrownBy(this::open).isInstanceOf(AixclException.Failed.class)
                .hasMessageContaining("is not the key the secrets in");
    }

    @Test
    void missingKeyFileIsAnErrorNeverANewKey() throws IOException {
        try (var store = open()) {
            store.ensure("a-secret", CATALOG_LIKE);
        }
        Files.delete(data.resolve("secrets.key"));
        assertThatThrownBy(this::open).hasMessageContaining("is missing: the secrets cannot be decrypted without it");
        assertThat(data.resolve("secrets.key")).doesNotExist();
    }

    @Test
    void keyFileReadableByOthersIsRefused() throws IOException {
        try (var store = open()) {
            store.ensure("a-secret", CATALOG_LIKE);
        }
        Files.setPosixFilePermissions(data.resolve("secrets.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(this::open).hasMessageContaining("chmod 600");
    }

    @Test
    void missingKeyringWithSecretsPresentIsAnError() throws IOException {
        try (var store = open()) {
            store.ensure("a-secret", CATALOG_LIKE);
        }
        Files.delete(data.resolve("secrets/keyring.json"));
        assertThatThrownBy(this::open).hasMessageContaining("keyring.json is missing but 1 secret(s) exist");
    }

    @Test
    void passphraseUnlocksTheStoreAndAWrongOneIsRefused() throws IOException {
        Path pass = Files.writeString(data.resolve("pass"), "correct horse battery staple\n");
        String value;
        try (var store = open(new KeySource.Passphrase(pass))) {
            store.ensure("a-secret", CATALOG_LIKE);
            value = reveal(store, "a-secret");
        }
        assertThat(data.resolve("secrets.key")).doesNotExist();
        assertThat(Files.readString(data.resolve("secrets/keyring.json"))).contains("\"argon2id\"")
                .contains("\"source\":\"passphrase\"");
        try (var store = open(new KeySource.Passphrase(pass))) {
            assertThat(reveal(store, "a-secret")).isEqualTo(value);
        }
        Files.writeString(pass, "correct horse battery stapler\n");
        assertThatThrownBy(() -> open(new KeySource.Passphrase(pass))).isInstanceOf(AixclException.Failed.class)
                .hasMessageContaining("wrong passphrase (read from " + pass + ")");
    }

    @Test
    void storeRemembersWhichKindOfKeyItUses() throws IOException {
        Path pass = Files.writeString(data.resolve("pass"), "a passphrase");
        try (var store = open(new KeySource.Passphrase(pass))) {
            store.ensure("a-secret", CATALOG_LIKE);
        }
        assertThatThrownBy(this::open).hasMessageContaining("encrypted with a passphrase: set "
                + "AIXCL_SECRETS_PASSPHRASE_FILE");
    }

    @Test
    void passphraseFileMustHoldOneNonEmptyLine() throws IOException {
        Path empty = Files.writeString(data.resolve("empty"), "\n");
        assertThatThrownBy(() -> open(new KeySource.Passphrase(empty))).hasMessageContaining("is empty");
        Path twoLines = Files.writeString(data.resolve("two"), "a\nb\n");
        assertThatThrownBy(() -> open(new KeySource.Passphrase(twoLines))).hasMessageContaining("more than one line");
        assertThatThrownBy(() -> open(new KeySource.Passphrase(data.resolve("absent"))))
                .hasMessageContaining("AIXCL_SECRETS_PASSPHRASE_FILE names");
    }

    @Test
    void argon2idIsDeterministicPerSaltAndSensitiveToEachInput() {
        byte[] salt = new byte[16];
        byte[] a = FAST_KDF.derive("pass".toCharArray(), salt);
        byte[] b = FAST_KDF.derive("pass".toCharArray(), salt);
        byte[] c = FAST_KDF.derive("Pass".toCharArray(), salt);
        salt[0] = 1;
        byte[] d = FAST_KDF.derive("pass".toCharArray(), salt);
        assertThat(a).hasSize(32).isEqualTo(b).isNotEqualTo(c).isNotEqualTo(d);
    }

    @Test
    void everyGeneratedOrRevealedValueIsToldToTheListener() {
        try (var store = open()) {
            store.ensure("pgpass", CATALOG_LIKE);
            String password = reveal(store, "postgres-password");
            assertThat(seen).contains(password, "127.0.0.1:5432:*:aixcl:" + password);
        }
    }

    @Test
    void namesThatCouldEscapeTheFolderAreRefused() {
        try (var store = open()) {
            for (String bad : List.of("../x", "a/b", ".hidden", "", "UPPER")) {
                assertThatThrownBy(() -> store.ensure(bad, CATALOG_LIKE)).as(bad)
                        .isInstanceOf(AixclException.InvalidInput.class);
            }
        }
    }

    @Test
    void listShowsNamesAndDatesNeverValues() {
        try (var store = open()) {
            store.ensure("b-secret", CATALOG_LIKE);
            now = now.plusSeconds(5);
            store.ensure("a-secret", CATALOG_LIKE);
            store.rotate("b-secret", CATALOG_LIKE);
            assertThat(store.list()).containsExactly(
                    new SecretInfo("a-secret", now, null),
                    new SecretInfo("b-secret", now.minusSeconds(5), now));
            assertThat(Arrays.toString(store.list().toArray())).doesNotContain(reveal(store, "a-secret"));
        }
    }
}
