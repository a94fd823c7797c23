package io.aixcl.daemon.remote;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * X.509 building for {@link LocalCa}, the only class that touches Bouncy Castle. Kept apart so that a daemon that
 * never issues a certificate never loads it: Bouncy Castle's jars are signed, and the first class loaded from one
 * makes the JDK parse and keep its manifest of ~6,000 per-class digests (several MB of heap, ~0.3 s at start).
 */
final class Certificates {
    enum Purpose { SERVER, CLIENT }

    private Certificates() {}

    static X509Certificate authority(String subject, KeyPair pair, BigInteger serial, Instant now, Duration lifetime)
            throws GeneralSecurityException, IOException {
        X500Name name = new X500Name(subject);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial,
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(lifetime)), name, pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false,
                        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
        return sign(b, pair.getPrivate());
    }

    static X509Certificate leaf(X509Certificate issuer, PrivateKey issuerKey, String subject, PublicKey subjectKey,
            Purpose purpose, List<InetAddress> addresses, List<String> dnsNames, BigInteger serial, Instant now,
            Duration lifetime) throws GeneralSecurityException, IOException {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        KeyPurposeId usage = purpose == Purpose.SERVER ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth;
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial,
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(lifetime)),
                new X500Name(subject), subjectKey)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
        if (!addresses.isEmpty() || !dnsNames.isEmpty()) {
            GeneralName[] names = new GeneralName[addresses.size() + dnsNames.size()];
            int i = 0;
            for (InetAddress a : addresses) {
                names[i++] = new GeneralName(GeneralName.iPAddress, a.getHostAddress());
            }
            for (String d : dnsNames) {
                names[i++] = new GeneralName(GeneralName.dNSName, d);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return sign(b, issuerKey);
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
}
