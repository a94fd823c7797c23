package io.aixcl.daemon.http;

import io.aixcl.api.ApiError;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.api.Json;
import io.aixcl.core.orchestrate.Cancellation;
import io.aixcl.core.secrets.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/** One request and its response, with the JSON and streaming helpers routes need. */
public final class Exchange {
    private static final int MAX_BODY = 1 << 20;

    private final Request request;
    private final Response response;
    private final Map<String, String> pathParams;
    private final java.util.Optional<io.aixcl.daemon.access.Peer> peer;
    private final Redactor redactor;
    private final java.util.Optional<String> tokenId;
    private Fields query;
    private boolean committed;
    private Object body;
    private Acknowledgement acknowledgement = failure -> { };
    private boolean acknowledged;
    private final Map<String, String> auditFacts = new java.util.TreeMap<>();

    /**
     * Runs once, just before the final answer (a response, or a stream's result or error) leaves: an audited
     * action is on disk before it is acknowledged. If it throws, the answer becomes that failure.
     */
    @FunctionalInterface
    public interface Acknowledgement {
        void before(java.util.Optional<ApiError> failure);
    }

    void onAcknowledge(Acknowledgement a) {
        this.acknowledgement = a;
    }

    private void acknowledge(java.util.Optional<ApiError> failure) {
        if (!acknowledged) {
            acknowledged = true;
            acknowledgement.before(failure);
        }
    }

    /** What the request asked for, for the audit entry: path and query parameters and the body's fields. */
    Map<String, String> parameters() {
        Map<String, String> p = new java.util.TreeMap<>(pathParams);
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        query.forEach(f -> p.put(f.getName(), f.getValue()));
        if (body != null) {
            Map<?, ?> fields = Json.MAPPER.convertValue(body, Map.class);
            fields.forEach((k, v) -> {
                if (v != null && !(v instanceof Boolean b && !b)) {
                    p.put(String.valueOf(k), String.valueOf(v));
                }
            });
        }
        synchronized (auditFacts) {
            p.putAll(auditFacts);
        }
        return p;
    }

    /**
     * A fact the route learned while acting (what ran, how it ended), added to the request's audit entry. Metadata
     * only: never a value, never a command's output.
     */
    public void auditFact(String key, String value) {
        synchronized (auditFacts) {
            auditFacts.put(key, value);
        }
    }

    /** Every answer and streamed event is scrubbed of known secret values by {@code redactor} on its way out. */
    Exchange(Request request, Response response, Map<String, String> pathParams,
             java.util.Optional<io.aixcl.daemon.access.Peer> peer, Redactor redactor) {
        this(request, response, pathParams, peer, redactor, java.util.Optional.empty());
    }

    Exchange(Request request, Response response, Map<String, String> pathParams,
             java.util.Optional<io.aixcl.daemon.access.Peer> peer, Redactor redactor,
             java.util.Optional<String> tokenId) {
        this.request = request;
        this.response = response;
        this.pathParams = pathParams;
        this.peer = peer;
        this.redactor = redactor;
        this.tokenId = tokenId;
    }

    /** Over TCP, the id of the bearer token that authenticated this request: the actor of what it changes. */
    public java.util.Optional<String> tokenId() {
        return tokenId;
    }

    /** The connection's peer, by its kernel credentials: the actor of whatever this request changes. */
    public java.util.Optional<io.aixcl.daemon.access.Peer> peer() {
        return peer;
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    public String query(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return query.getValue(name);
    }

    public int queryInt(String name, int fallback) {
        String v = query(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ErrorMapping.BadRequest("query parameter '" + name + "' must be an integer, got '" + v + "'");
        }
    }

    public boolean queryBool(String name) {
        return "true".equalsIgnoreCase(query(name));
    }

    public <T> T body(Class<T> type) throws IOException {
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new ErrorMapping.BadRequest("request body larger than " + MAX_BODY + " bytes");
            }
            if (bytes.length == 0) {
                try {
                    T empty = Json.MAPPER.readValue("{}", type);
                    body = empty;
                    return empty;
                } catch (IOException e) {
                    throw new ErrorMapping.BadRequest("a request body is required");
                }
            }
            T value = Json.MAPPER.readValue(bytes, type);
            body = value;
            return value;
        }
    }

    public void json(int status, Object value) throws IOException {
        acknowledge(value instanceof ApiError e ? java.util.Optional.of(e) : java.util.Optional.empty());
        // ?pretty=true: the CLI can print the answer as it came, without a JSON library of its own.
        String text = queryBool("pretty") ? Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n"
                : Json.MAPPER.writeValueAsString(value);
        write(status, utf8(redactor.scrub(text)));
    }

    /** A response header, set before the body. */
    public void header(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /**
     * The one answer that carries a secret value on purpose ({@code secrets show}), so it is not scrubbed. Only a
     * route that has recorded the reveal (audit) may call this.
     */
    public void okRevealingSecret(Object value) throws IOException {
        revealingSecret(200, value);
    }

    /** {@link #okRevealingSecret} with another status, e.g. 201 for the one answer that shows a new key. */
    public void revealingSecret(int status, Object value) throws IOException {
        acknowledge(java.util.Optional.empty());
        write(status, Json.MAPPER.writeValueAsBytes(value));
    }

    private void write(int status, byte[] bytes) throws IOException {
        committed = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            out.write(bytes);
        }
    }

    public void ok(Object value) throws IOException {
        json(200, value);
    }

    void error(ApiError error) throws IOException {
        json(error.code().httpStatus(), error);
    }

    boolean committed() {
        return committed;
    }

    /**
     * Starts an NDJSON stream. A heartbeat keeps the connection honest: when the client goes away (Ctrl-C), the
     * next write fails and the returned stream's cancellation fires, so the operation stops cleanly.
     */
    public EventStream stream() {
        committed = true;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiPaths.NDJSON);
        return new EventStream(Content.Sink.asOutputStream(response), this::acknowledge, redactor);
    }

    public static final class EventStream implements AutoCloseable {
        private final OutputStream out;
        private final Redactor redactor;
        private final ReentrantLock lock = new ReentrantLock();
        private final Cancellation cancellation = new Cancellation();
        private final Thread heartbeat;
        private volatile boolean closed;
        private final java.util.function.Consumer<java.util.Optional<ApiError>> acknowledge;

        EventStream(OutputStream out, java.util.function.Consumer<java.util.Optional<ApiError>> acknowledge,
                    Redactor redactor) {
            this.out = out;
            this.acknowledge = acknowledge;
            this.redactor = redactor;
            this.heartbeat = Thread.ofVirtual().name("stream-heartbeat").start(() -> {
                while (!closed) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    send(Dtos.Event.of("heartbeat"));
                }
            });
        }

        public Cancellation cancellation() {
            return cancellation;
        }

        /** Writes one event; a failed write means the client is gone, which cancels the operation. */
        public void send(Dtos.Event event) {
            if ("result".equals(event.type()) || "error".equals(event.type())) {
                try {
                    acknowledge.accept(java.util.Optional.ofNullable(event.error()));
                } catch (RuntimeException e) {
                    event = Dtos.Event.error(ErrorMapping.toApiError(e));
                }
            }
            if (closed || (cancellation.cancelled() && !"error".equals(event.type()) && !"result".equals(event.type()))) {
                return;
            }
            lock.lock();
            try {
                out.write(utf8(redactor.scrub(Json.MAPPER.writeValueAsString(event))));
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                cancellation.cancel("client disconnected");
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            closed = true;
            heartbeat.interrupt();
            lock.lock();
            try {
                out.close();
            } catch (IOException ignored) {
                // the client is already gone
            } finally {
                lock.unlock();
            }
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
