package io.aixcl.cli.client;

import io.aixcl.cli.CliException;
import io.aixcl.cli.ExitCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * A client certificate folder for mutual TLS: {@code client.key} (made here, 0600, never sent anywhere),
 * {@code client.crt} (issued by the daemon's CA for the public key) and {@code ca.crt} (the CA to pin).
 */
public final class ClientCertFiles {
    public static final String KEY = "client.key";
    public static final String CERT = "client.crt";
    public static final String CA = "ca.crt";

    private ClientCertFiles() {}

    /** A fresh EC P-256 key pair: the public half goes to the daemon, the private half stays here. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is part of every JDK", e);
        }
    }

    public static String publicKeyBase64(KeyPair pair) {
        return Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    }

    public static void write(Path dir, KeyPair pair, String certificatePem, String caPem) {
        try {
            Files.createDirectories(dir);
            write(dir.resolve(KEY), "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n", "rw-------");
            write(dir.resolve(CERT), certificatePem, "rw-r--r--");
            write(dir.resolve(CA), caPem, "rw-r--r--");
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot write the client certificate to " + dir + ": " + e);
        }
    }

    static void write(Path file, String text, String mode) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
