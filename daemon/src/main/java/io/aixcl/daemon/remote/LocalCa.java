package io.aixcl.daemon.remote;

import io.aixcl.core.AixclException;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The daemon's own certificate authority, made at first use in {@code data/tls/}: it signs the TLS listener's
 * server certificate (which remote CLIs verify by pinning this CA) and client certificates for mutual TLS.
 * EC P-256 keys, private keys 0600. Nothing else trusts it, and it trusts nothing else.
 */
public final class LocalCa {
    static final Duration CA_LIFETIME = Duration.ofDays(3650);
    static final Duration LEAF_LIFETIME = Duration.ofDays(397);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private X509Certificate certificate;
    private PrivateKey key;

    public LocalCa(Path dir) {
        this.dir = dir;
    }

    public Path certificateFile() {
        return dir.resolve("ca.crt");
    }

    /** The CA certificate, made (with its key) on first call. */
    public synchronized X509Certificate certificate() {
        load();
        return certificate;
    }

    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    record Issued(X509Certificate certificate, PrivateKey key) {}

    /** A server certificate for these addresses (IP literals) and DNS names, with a fresh key. */
    synchronized Issued issueServer(List<InetAddress> addresses, List<String> dnsNames) {
        load();
        KeyPair pair = newKeyPair();
        return new Issued(issue(() -> Certificates.leaf(certificate, key, "CN=aixcld", pair.getPublic(),
                Certificates.Purpose.SERVER, addresses, dnsNames, serial(), Instant.now(), LEAF_LIFETIME)),
                pair.getPrivate());
    }

    /** A client certificate for {@code name}, for a key the client made and keeps. */
    public synchronized X509Certificate issueClient(String name, PublicKey clientKey) {
        load();
        return issue(() -> Certificates.leaf(certificate, key, "CN=" + name + ",OU=aixcl client", clientKey,
                Certificates.Purpose.CLIENT, List.of(), List.of(), serial(), Instant.now(), LEAF_LIFETIME));
    }

    private static X509Certificate issue(CertificateAction action) {
        try {
            return action.run();
        } catch (GeneralSecurityException | IOException e) {
            throw new AixclException.Failed("cannot issue a certificate: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface CertificateAction {
        X509Certificate run() throws GeneralSecurityException, IOException;
    }

    private void load() {
        if (certificate != null) {
            return;
        }
        Path crt = certificateFile();
        Path keyFile = dir.resolve("ca.key");
        try {
            if (Files.exists(crt) && Files.exists(keyFile)) {
                certificate = Pem.readCertificate(crt);
                key = Pem.readPrivateKey(keyFile);
                return;
            }
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            KeyPair pair = newKeyPair();
            BigInteger serial = serial();
            X509Certificate cert = Certificates.authority(
                    "CN=aixcl local CA " + HexFormat.of().formatHex(serial.toByteArray(), 0, 4), pair, serial,
                    Instant.now(), CA_LIFETIME);
            Pem.writePrivate(keyFile, Pem.privateKey(pair.getPrivate()));
            Pem.writePublic(crt, Pem.certificate(cert));
            certificate = cert;
            key = pair.getPrivate();
        } catch (IOException | GeneralSecurityException e) {
            throw new AixclException.Failed("cannot load or create the local CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is part of every JDK", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(126); // positive, 16 bytes, never short
    }
}
