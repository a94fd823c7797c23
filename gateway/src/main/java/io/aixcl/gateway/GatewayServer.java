package io.aixcl.gateway;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.audit.AuditLog;
import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.keys.KeyAuthority;
import io.aixcl.gateway.http.AuditTrail;
import io.aixcl.gateway.http.CorsPolicy;
import io.aixcl.gateway.http.GatewayHandler;
import io.aixcl.gateway.http.HostPolicy;
import io.aixcl.gateway.http.Routes;
import io.aixcl.gateway.inference.Admission;
import io.aixcl.gateway.inference.Catalog;
import io.aixcl.gateway.inference.EmbeddingRequests;
import io.aixcl.gateway.inference.Generations;
import io.aixcl.gateway.inference.Sampling;
import io.aixcl.gateway.ollama.OllamaRequests;
import io.aixcl.gateway.ollama.OllamaRoutes;
import io.aixcl.gateway.openai.OpenAiRequests;
import io.aixcl.gateway.openai.OpenAiRoutes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The OpenAI- and Ollama-compatible endpoint: Jetty on a loopback address, every model resolved through
 * {@link InferenceBackends}, every request authorised by the {@link KeyAuthority} and recorded in the
 * {@link AuditLog}. Lifecycle: construct, {@link #start}, {@link #close} (graceful: requests in flight may finish).
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());
    /** How long in-flight requests (streams included) may take to finish when the gateway closes. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    /** Long enough for a CPU engine to read a long prompt before the first token. */
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(2);

    private final GatewayConfig config;
    private final Server server;
    private final ServerConnector connector;
    private final AuditTrail audit;

    public GatewayServer(GatewayConfig config, InferenceBackends backends, KeyAuthority keys, AuditLog auditLog,
                         Embedder embedder, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        requireNonNull(backends, "backends is null");
        requireNonNull(keys, "keys is null");
        requireNonNull(auditLog, "auditLog is null");
        requireNonNull(embedder, "embedder is null");
        requireNonNull(clock, "clock is null");

        Admission admission = new Admission(keys);
        Sampling sampling = new Sampling(config.maxTokensLimit(), config.defaultMaxTokens());
        Generations generations = new Generations(backends, admission, embedder);
        EmbeddingRequests embeddings = new EmbeddingRequests(admission, embedder);
        Catalog catalog = new Catalog(backends, admission, embedder, clock.instant());
        Routes routes = new Routes(
                new OpenAiRoutes(new OpenAiRequests(sampling), generations, embeddings, catalog),
                new OllamaRoutes(new OllamaRequests(sampling), generations, embeddings, catalog, clock));
        this.audit = new AuditTrail(auditLog, STOP_TIMEOUT);

        // Jetty's own work (selecting, parsing, writing); requests block (streamed writes) and run on virtual threads
        // that GatewayHandler starts.
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("gateway");
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // One selector per core: a whole answer is served on the I/O thread that read it, so the selectors are the
        // request workers. With Jetty's single selector the JSON path used one core of two (4,200 req/s; 10,400 with
        // two, bench/gateway.sh).
        this.connector = new ServerConnector(server, 1, Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors())), new HttpConnectionFactory(http));
        connector.setHost(config.listen().getAddress().getHostAddress());
        connector.setPort(config.listen().getPort());
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(new GatewayHandler(routes, new HostPolicy(config.allowedHosts()),
                new CorsPolicy(config.corsOrigins()), config.maxBodyBytes(), audit, clock)));
        server.setStopTimeout(STOP_TIMEOUT.toMillis());
        // Jetty answers what never reaches the handler (a malformed request line, oversized headers): no stack traces.
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowMessageInTitle(false);
        server.setErrorHandler(errors);
    }

    /** Binds and serves; throws UncheckedIOException when the address cannot be bound. */
    public void start() {
        try {
            server.start();
        } catch (IOException e) {
            stopQuietly();
            throw new UncheckedIOException("the gateway cannot listen on " + config.listen() + ": " + e.getMessage(), e);
        } catch (Exception e) {
            stopQuietly();
            throw new IllegalStateException("the gateway cannot start: " + e.getMessage(), e);
        }
    }

    /** Where it listens, with the real port when port 0 was configured. */
    public InetSocketAddress address() {
        return new InetSocketAddress(config.listen().getAddress(), connector.getLocalPort());
    }

    public GatewayConfig config() {
        return config;
    }

    /** Stops taking connections, lets requests in flight finish (up to 5 s), then waits for their audit events. */
    @Override
    public void close() {
        stopQuietly();
        audit.close();
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "stopping the gateway", e);
        }
    }
}
