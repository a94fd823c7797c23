package io.aixcl.secrets;

import java.nio.file.Path;
import java.util.Map;

/** Where the master key comes from: a random key file, or a passphrase (in a file) stretched with Argon2id. */
public sealed interface KeySource {

    /** The variable naming a file that holds the passphrase; set, it replaces the key file. */
    String PASSPHRASE_FILE_VARIABLE = "AIXCL_SECRETS_PASSPHRASE_FILE";

    /** 32 random bytes, mode 0600, made at first use. Protects the secrets as far as the file is protected. */
    record KeyFile(Path file) implements KeySource {}

    /** A passphrase read from {@code file} (one line; a trailing newline is not part of it). Never an argument. */
    record Passphrase(Path file) implements KeySource {}

    /** The passphrase when {@value #PASSPHRASE_FILE_VARIABLE} is set, else the key file. */
    static KeySource fromEnvironment(Map<String, String> env, Path keyFile) {
        String passphraseFile = env.get(PASSPHRASE_FILE_VARIABLE);
        if (passphraseFile != null && !passphraseFile.isBlank()) {
            return new Passphrase(Path.of(passphraseFile).toAbsolutePath());
        }
        return new KeyFile(keyFile);
    }
}
