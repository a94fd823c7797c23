package io.aixcl.gateway;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.audit.AuditLog;
import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.keys.KeyAuthority;
import io.aixcl.gateway.http.AuditTrail;
import io.aixcl.gateway.http.CorsPolicy;
import io.aixcl.gateway.http.GatewayHandler;
import io.aixcl.gateway.http.GatewayTransport;
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
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;

/**
 * The OpenAI- and Ollama-compatible endpoint: Netty on a loopback address, every model resolved through
 * {@link InferenceBackends}, every request authorised by the {@link KeyAuthority} and recorded in the
 * {@link AuditLog}. Lifecycle: construct, {@link #start}, {@link #close} (graceful: requests in flight may finish).
 */
public final class GatewayServer implements AutoCloseable {

    /** How long in-flight requests (streams included) may take to finish when the gateway closes. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    /** Long enough for a CPU engine to read a long prompt before the first token. */
    private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(2);

    private final GatewayConfig config;
    private final GatewayTransport transport;
    private final AuditTrail audit;

    /** On event loops of its own (one per core, at most 8), from {@link #start} to {@link #close}. */
    public GatewayServer(GatewayConfig config, InferenceBackends backends, KeyAuthority keys, AuditLog auditLog,
                         Embedder embedder, Clock clock) {
        this(config, backends, keys, auditLog, embedder, clock, null);
    }

    /**
     * On {@code loops} (the daemon's, shared with the HTTP engines: a whole answer's upstream exchange runs on the
     * loop that read the request and writes the answer); null for loops of its own.
     */
    public GatewayServer(GatewayConfig config, InferenceBackends backends, KeyAuthority keys, AuditLog auditLog,
                         Embedder embedder, Clock clock, EventLoopGroup loops) {
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

        GatewayHandler handler = new GatewayHandler(routes, new HostPolicy(config.allowedHosts()),
                new CorsPolicy(config.corsOrigins()), config.maxBodyBytes(), audit, clock);
        this.transport = new GatewayTransport(config.listen(), handler, config.maxBodyBytes(), IDLE_TIMEOUT,
                config.streamWriteTimeout(), STOP_TIMEOUT, loops);
    }

    /** Binds and serves; throws UncheckedIOException when the address cannot be bound. */
    public void start() {
        transport.start();
    }

    /** Where it listens, with the real port when port 0 was configured. */
    public InetSocketAddress address() {
        return transport.address();
    }

    public GatewayConfig config() {
        return config;
    }

    /** Stops taking connections, lets requests in flight finish (up to 5 s), then waits for their audit events. */
    @Override
    public void close() {
        transport.close();
        audit.close();
    }
}
