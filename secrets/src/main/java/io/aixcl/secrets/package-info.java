/**
 * Secrets: the encrypted store and the delivery of secrets to containers as files.
 *
 * <p>Public API: {@link io.aixcl.secrets.EncryptedSecretStore} (implements core's {@code SecretStore}; opened with a
 * {@link io.aixcl.secrets.KeySource}), {@link io.aixcl.secrets.FileSecretDelivery} (implements core's
 * {@code SecretDelivery}; told the engine's {@link io.aixcl.secrets.EngineMode}, runs programs through a
 * {@link io.aixcl.secrets.CommandRunner}). Generation policies come from the stack file ({@code SecretPolicies} in
 * core); redaction is core's {@code Redactor}, which the store teaches every value it makes or reads.
 *
 * <p>Inside: {@code Keyring} (key file or Argon2id passphrase, with a check value), {@code SecretCipher}
 * (AES-256-GCM), {@code AtomicFiles} (temp + fsync + rename), {@code SecretValues} (generation without Strings),
 * {@code Ownership} (who must own a delivered file, and how: chown or podman unshare).
 */
package io.aixcl.secrets;
