package io.aixcl.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The checkpoint signing key on disk: the private key as PKCS#8 PEM, created 0600 before a byte is written, and the
 * public key as a signed-note verifier key line (see {@link NoteVerifier#format()}).
 */
public final class SigningKeyFiles {

    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private SigningKeyFiles() {}

    public static NoteSigner generate(String name) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return new NoteSigner(pair.getPrivate(), NoteVerifier.of(name, pair.getPublic()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java 15+ platform has Ed25519", e);
        }
    }

    /** Writes both files; the private key file must not exist yet, so a key is never silently replaced. */
    public static void write(NoteSigner signer, Path privateKeyFile, Path publicKeyFile) throws IOException {
        String pem = BEGIN + "\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(signer.privateKey().getEncoded())
                + "\n" + END + "\n";
        Files.createFile(privateKeyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(privateKeyFile, pem, StandardCharsets.US_ASCII);
        DurableFiles.fsync(privateKeyFile);
        writePublic(signer.verifier(), publicKeyFile);
    }

    public static void writePublic(NoteVerifier verifier, Path publicKeyFile) throws IOException {
        DurableFiles.writeAtomically(publicKeyFile, verifier.format() + "\n");
    }

    public static NoteSigner read(Path privateKeyFile, Path publicKeyFile) throws IOException {
        NoteVerifier verifier = readPublic(publicKeyFile);
        String pem = Files.readString(privateKeyFile, StandardCharsets.US_ASCII).strip();
        if (!pem.startsWith(BEGIN) || !pem.endsWith(END)) {
            throw new IOException(privateKeyFile + " is not a PKCS#8 PEM private key");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(BEGIN.length(), pem.length() - END.length()));
        try {
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            return new NoteSigner(key, verifier);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(privateKeyFile + " does not hold the Ed25519 key of " + publicKeyFile + ": "
                    + e.getMessage(), e);
        }
    }

    public static NoteVerifier readPublic(Path publicKeyFile) throws IOException {
        try {
            return NoteVerifier.parse(Files.readString(publicKeyFile, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(publicKeyFile + ": " + e.getMessage(), e);
        }
    }
}
