package io.aixcl.daemon.remote;

import io.aixcl.core.AixclException;
import io.aixcl.stackfile.ListenAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The TLS listener's certificate and key ({@code data/tls/server.crt}, {@code server.key}): kept while it is signed by
 * the local CA, names every address a client may use (127.0.0.1, ::1, localhost and the listen address), and has a
 * month left; issued anew otherwise.
 */
final class ServerIdentity {
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private ServerIdentity() {}

    static LocalCa.Issued loadOrIssue(LocalCa ca, Path dir, ListenAddress listen) {
        Set<String> ips = new LinkedHashSet<>(List.of("127.0.0.1", "0:0:0:0:0:0:0:1"));
        Set<String> dns = new LinkedHashSet<>(List.of("localhost"));
        InetAddress bound = listen.socketAddress().getAddress();
        if (!bound.isAnyLocalAddress() && !listen.host().equals("localhost")) {
            ips.add(bound.getHostAddress());
        }
        Path crt = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        try {
            if (Files.exists(crt) && Files.exists(key)) {
                X509Certificate existing = Pem.readCertificate(crt);
                if (usable(existing, ca.certificate(), ips, dns)) {
                    return new LocalCa.Issued(existing, Pem.readPrivateKey(key));
                }
            }
            List<InetAddress> addresses = new ArrayList<>();
            for (String ip : ips) {
                addresses.add(InetAddress.getByName(ip));
            }
            LocalCa.Issued issued = ca.issueServer(addresses, List.copyOf(dns));
            Pem.writePrivate(key, Pem.privateKey(issued.key()));
            Pem.writePublic(crt, Pem.certificate(issued.certificate()));
            return issued;
        } catch (IOException e) {
            throw new AixclException.Failed("cannot load or issue the TLS server certificate in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean usable(X509Certificate cert, X509Certificate ca, Set<String> ips, Set<String> dns) {
        try {
            cert.verify(ca.getPublicKey());
            if (cert.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
                return false;
            }
            Set<String> have = new HashSet<>();
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    Object v = san.get(1);
                    have.add((Integer) san.get(0) == 7 ? InetAddress.getByName((String) v).getHostAddress() : (String) v);
                }
            }
            for (String ip : ips) {
                if (!have.contains(InetAddress.getByName(ip).getHostAddress())) {
                    return false;
                }
            }
            return have.containsAll(dns);
        } catch (GeneralSecurityException | IOException e) {
            return false; // CertificateParsingException included: issue a fresh one
        }
    }
}
