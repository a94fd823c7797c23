package io.aixcl.engine.docker;

import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/** HTTP over a Unix socket, the only transport aixcl uses to reach an engine. */
final class Transports {
    private Transports() {}

    /**
     * Given to the client in place of the JDK's default TLS context, which it would otherwise build for a Unix socket
     * that never speaks TLS: that loads JSSE and parses the trust store (~380 classes, ~11 MB of a daemon's RSS).
     */
    static final SSLContext NO_TLS = new SSLContext(new NoTls(), null, "none") { };

    /** @param responseTimeout null for none (log following and long pulls may be silent for a long time) */
    static DockerHttpClient unix(Path socket, Duration connectTimeout, Duration responseTimeout, int maxConnections) {
        var builder = new ApacheDockerHttpClient.Builder().dockerHost(URI.create("unix://" + socket))
                .sslConfig(() -> NO_TLS)
                .connectionTimeout(connectTimeout).maxConnections(maxConnections);
        if (responseTimeout != null) {
            builder.responseTimeout(responseTimeout);
        }
        return builder.build();
    }

    /** Every use fails: nothing on a Unix socket asks for TLS. */
    private static final class NoTls extends SSLContextSpi {
        private static UnsupportedOperationException unused() {
            return new UnsupportedOperationException("TLS is not used on the engine's Unix socket");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
            throw unused();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw unused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw unused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw unused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw unused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw unused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw unused();
        }
    }
}
