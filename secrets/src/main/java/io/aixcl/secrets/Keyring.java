package io.aixcl.secrets;

import com.fasterxml.jackson.core.JacksonException;
import io.aixcl.core.AixclException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code keyring.json} in the store folder: which kind of key encrypts the store, the KDF parameters and salt of a
 * passphrase, and a check value, so that a wrong key or passphrase is told apart from a damaged secret file.
 * Made at first use; afterwards a missing or mismatched key is an error, never a reason to start over.
 */
final class Keyring {
    static final String FILE = "keyring.json";
    private static final int FORMAT = 1;
    private static final String KEY_FILE = "key-file";
    private static final String PASSPHRASE = "passphrase";
    private static final byte[] CHECK_TEXT = "aixcl secret store key check".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECK_AAD = "aixcl-keyring/1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    record Kdf(String algorithm, int memoryKiB, int iterations, int parallelism, byte[] salt) {}

    record KeyringFile(int format, String source, Kdf kdf, byte[] checkNonce, byte[] check) {}

    private Keyring() {}

    /**
     * The master key of the store in {@code dir}, checked against its keyring; for a new store, a new key and
     * keyring ({@code kdfForNew} sets the cost of a new passphrase key).
     */
    static MasterKey unlock(Path dir, KeySource source, Argon2idKdf kdfForNew) {
        Path file = dir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                return create(dir, file, source, kdfForNew);
            }
            KeyringFile k = read(file);
            MasterKey key = switch (source) {
                case KeySource.KeyFile f -> {
                    if (!KEY_FILE.equals(k.source())) {
                        throw failed("the secrets in " + dir + " are encrypted with a passphrase: set "
                                + KeySource.PASSPHRASE_FILE_VARIABLE + " to the file that holds it");
                    }
                    yield loadKeyFile(f.file());
                }
                case KeySource.Passphrase p -> {
                    if (!PASSPHRASE.equals(k.source())) {
                        throw failed("the secrets in " + dir + " are encrypted with a key file, but "
                                + KeySource.PASSPHRASE_FILE_VARIABLE + " is set: unset it to use the key file");
                    }
                    Kdf kdf = k.kdf();
                    if (kdf == null || !"argon2id".equals(kdf.algorithm()) || kdf.salt() == null) {
                        throw failed(file + " is damaged: its KDF parameters are missing or unknown");
                    }
                    yield derive(p, new Argon2idKdf(kdf.memoryKiB(), kdf.iterations(), kdf.parallelism()),
                            kdf.salt());
                }
            };
            try {
                byte[] check = SecretCipher.open(key, new SecretCipher.Sealed(k.checkNonce(), k.check()), CHECK_AAD);
                Arrays.fill(check, (byte) 0);
            } catch (SecretCipher.Unauthentic e) {
                key.close();
                throw failed(switch (source) {
                    case KeySource.KeyFile f -> "the key file " + f.file() + " is not the key the secrets in " + dir
                            + " were encrypted with: restore the right key file";
                    case KeySource.Passphrase p -> "wrong passphrase (read from " + p.file() + ") for the secrets in "
                            + dir;
                });
            }
            return key;
        } catch (IOException e) {
            throw new AixclException.Failed("cannot open the secret store in " + dir + ": " + e, e);
        }
    }

    private static MasterKey create(Path dir, Path file, KeySource source, Argon2idKdf kdfForNew) throws IOException {
        try (Stream<Path> existing = Files.list(dir)) {
            long secrets = existing.filter(p -> p.getFileName().toString().endsWith(EncryptedSecretStore.SUFFIX))
                    .count();
            if (secrets > 0) {
                throw failed(file + " is missing but " + secrets + " secret(s) exist in " + dir + ": restore "
                        + FILE + " from a backup (a new key could not decrypt them)");
            }
        }
        MasterKey key;
        Kdf kdf = null;
        switch (source) {
            case KeySource.KeyFile f -> key = Files.exists(f.file()) ? loadKeyFile(f.file()) : newKeyFile(f.file());
            case KeySource.Passphrase p -> {
                byte[] salt = new byte[Argon2idKdf.SALT_BYTES];
                RANDOM.nextBytes(salt);
                kdf = new Kdf("argon2id", kdfForNew.memoryKiB(), kdfForNew.iterations(), kdfForNew.parallelism(),
                        salt);
                key = derive(p, kdfForNew, salt);
            }
        }
        SecretCipher.Sealed check = SecretCipher.seal(key, CHECK_TEXT, CHECK_AAD);
        KeyringFile k = new KeyringFile(FORMAT, source instanceof KeySource.KeyFile ? KEY_FILE : PASSPHRASE, kdf,
                check.nonce(), check.ciphertext());
        AtomicFiles.write(file, StoreJson.MAPPER.writeValueAsBytes(k));
        return key;
    }

    private static KeyringFile read(Path file) throws IOException {
        try {
            KeyringFile k = StoreJson.MAPPER.readValue(Files.readAllBytes(file), KeyringFile.class);
            if (k.format() != FORMAT || k.source() == null || k.check() == null || k.checkNonce() == null) {
                throw failed(file + " is damaged or of an unknown format (format " + k.format() + ")");
            }
            return k;
        } catch (JacksonException e) {
            throw failed(file + " is damaged: " + e.getOriginalMessage());
        }
    }

    private static MasterKey newKeyFile(Path keyFile) throws IOException {
        Files.createDirectories(keyFile.getParent());
        byte[] key = new byte[SecretCipher.KEY_BYTES];
        RANDOM.nextBytes(key);
        try {
            AtomicFiles.write(keyFile, key);
            return new MasterKey(key, "key file " + keyFile);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static MasterKey loadKeyFile(Path keyFile) throws IOException {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(keyFile);
            if (!AtomicFiles.OWNER_READ_WRITE.containsAll(mode)) {
                throw failed("the key file " + keyFile + " is readable or writable by others: chmod 600 " + keyFile);
            }
            byte[] key = Files.readAllBytes(keyFile);
            if (key.length != SecretCipher.KEY_BYTES) {
                Arrays.fill(key, (byte) 0);
                throw failed("the key file " + keyFile + " has " + key.length + " bytes, not "
                        + SecretCipher.KEY_BYTES + ": it is damaged");
            }
            return new MasterKey(key, "key file " + keyFile);
        } catch (NoSuchFileException e) {
            throw failed("the key file " + keyFile + " is missing: the secrets cannot be decrypted without it; "
                    + "restore it from a backup");
        }
    }

    private static MasterKey derive(KeySource.Passphrase p, Argon2idKdf kdf, byte[] salt) throws IOException {
        char[] passphrase = readPassphrase(p.file());
        try {
            byte[] key = kdf.derive(passphrase, salt);
            return new MasterKey(key, "the passphrase in " + p.file());
        } finally {
            Arrays.fill(passphrase, '\0');
        }
    }

    /** The first line of the file, strictly UTF-8; the bytes read are wiped. */
    static char[] readPassphrase(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw failed(KeySource.PASSPHRASE_FILE_VARIABLE + " names " + file + ", which does not exist");
        }
        try {
            int end = bytes.length;
            while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
                end--;
            }
            if (end == 0) {
                throw failed("the passphrase file " + file + " is empty");
            }
            for (int i = 0; i < end; i++) {
                if (bytes[i] == '\n') {
                    throw failed("the passphrase file " + file + " has more than one line");
                }
            }
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, end));
            char[] out = new char[chars.remaining()];
            chars.get(out);
            Arrays.fill(chars.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            throw failed("the passphrase file " + file + " is not UTF-8 text");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static AixclException.Failed failed(String message) {
        return new AixclException.Failed(message, null);
    }
}
