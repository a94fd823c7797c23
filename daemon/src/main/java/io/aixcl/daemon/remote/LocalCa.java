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
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

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
        GeneralName[] names = new GeneralName[addresses.size() + dnsNames.size()];
        int i = 0;
        for (InetAddress a : addresses) {
            names[i++] = new GeneralName(GeneralName.iPAddress, a.getHostAddress());
        }
        for (String d : dnsNames) {
            names[i++] = new GeneralName(GeneralName.dNSName, d);
        }
        return new Issued(leaf("CN=aixcld", pair.getPublic(), KeyPurposeId.id_kp_serverAuth, new GeneralNames(names)),
                pair.getPrivate());
    }

    /** A client certificate for {@code name}, for a key the client made and keeps. */
    public synchronized X509Certificate issueClient(String name, PublicKey clientKey) {
        load();
        return leaf("CN=" + name + ",OU=aixcl client", clientKey, KeyPurposeId.id_kp_clientAuth, null);
    }

    private X509Certificate leaf(String subject, PublicKey subjectKey, KeyPurposeId purpose, GeneralNames sans) {
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(LEAF_LIFETIME)),
                    new X500Name(subject), subjectKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate));
            if (sans != null) {
                b.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            return sign(b, key);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new AixclException.Failed("cannot issue a certificate: " + e.getMessage(), e);
        }
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
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=aixcl local CA " + HexFormat.of().formatHex(serial().toByteArray(), 0, 4));
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_LIFETIME)), name,
                    pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = sign(b, pair.getPrivate());
            Pem.writePrivate(keyFile, Pem.privateKey(pair.getPrivate()));
            Pem.writePublic(crt, Pem.certificate(cert));
            certificate = cert;
            key = pair.getPrivate();
        } catch (IOException | GeneralSecurityException e) {
            throw new AixclException.Failed("cannot load or create the local CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
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
