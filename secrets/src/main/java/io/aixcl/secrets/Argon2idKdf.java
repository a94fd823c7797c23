package io.aixcl.secrets;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id (RFC 9106), memory-hard, so a stolen data folder does not yield to a GPU guessing passphrases.
 * The parameters are stored beside the secrets, so they can be raised later without losing old data.
 */
record Argon2idKdf(int memoryKiB, int iterations, int parallelism) {

    /** RFC 9106's second recommended option (64 MiB, 3 passes); about a third of a second here. */
    static final Argon2idKdf RECOMMENDED = new Argon2idKdf(64 * 1024, 3, 1);
    static final int SALT_BYTES = 16;

    Argon2idKdf {
        if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("invalid Argon2id parameters: m=" + memoryKiB + " KiB, t=" + iterations
                    + ", p=" + parallelism);
        }
    }

    /** A 256-bit key from {@code passphrase} (UTF-8) and {@code salt}; the caller wipes the passphrase. */
    byte[] derive(char[] passphrase, byte[] salt) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKiB)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] key = new byte[SecretCipher.KEY_BYTES];
        generator.generateBytes(passphrase, key);
        params.clear();
        return key;
    }
}
