package io.aixcl.cli.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.aixcl.api.AixclPaths;
import io.aixcl.api.ApiError;
import io.aixcl.api.Dtos;
import io.aixcl.api.EventJson;
import io.aixcl.api.Json;
import io.aixcl.cli.CliException;
import io.aixcl.cli.ExitCodes;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The CLI's view of the daemon: JSON calls and NDJSON streams over the Unix socket. */
public final class DaemonClient {
    private final AixclPaths paths;
    private final boolean autoStart;
    private final Consumer<String> notice;
    /** Present: a remote daemon over TLS; absent: the local daemon's Unix socket. */
    private final java.util.Optional<Transport> remote;

    public DaemonClient(AixclPaths paths, boolean autoStart, Consumer<String> notice) {
        this(paths, autoStart, notice, java.util.Optional.empty());
    }

    private DaemonClient(AixclPaths paths, boolean autoStart, Consumer<String> notice,
                         java.util.Optional<Transport> remote) {
        this.paths = paths;
        this.autoStart = autoStart;
        this.notice = notice;
        this.remote = remote;
    }

    /** A client of a remote daemon, which it never starts. */
    public static DaemonClient remote(AixclPaths paths, Transport transport) {
        return new DaemonClient(paths, false, msg -> { }, java.util.Optional.of(transport));
    }

    public boolean isRemote() {
        return remote.isPresent();
    }

    public AixclPaths paths() {
        return paths;
    }

    public static boolean answers(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ignored = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public boolean running() {
        return remote.map(Transport::answers).orElseGet(() -> answers(paths.socket()));
    }

    /** Makes sure a daemon answers, starting one if allowed. */
    public void ensureRunning() {
        if (remote.isPresent() || running()) {
            return; // a remote daemon is not ours to start: a failed request says it is unreachable
        }
        if (!autoStart) {
            throw new CliException(ExitCodes.DAEMON_UNAVAILABLE, "aixcld is not running; start it with 'aixcl daemon start'");
        }
        notice.accept("starting aixcld…");
        new DaemonLauncher(paths).launch();
    }

    public <T> T get(String path, Class<T> type) {
        return call("GET", path, null, type);
    }

    public <T> T get(String path, TypeReference<T> type) {
        try (Transport.Reply r = open("GET", path, null)) {
            return Json.MAPPER.readValue(r.body(), type);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    public <T> T post(String path, Object body, Class<T> type) {
        return call("POST", path, body, type);
    }

    private <T> T call(String method, String path, Object body, Class<T> type) {
        try (Transport.Reply r = open(method, path, body)) {
            return Json.MAPPER.readValue(r.body(), type);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /**
     * Posts and reads the NDJSON event stream, handing each event to {@code onEvent}; returns the final result
     * event, or throws the final error as a CliException.
     */
    public Dtos.Event stream(String method, String path, Object body, Consumer<Dtos.Event> onEvent) {
        Transport.Reply r;
        try {
            r = open(method, path, body);
        } catch (IOException e) {
            throw broken(e);
        }
        return events(r, onEvent);
    }

    /** Reads an NDJSON event stream to its result event; also that of a request sent early (FastPath). */
    public Dtos.Event events(Transport.Reply reply, Consumer<Dtos.Event> onEvent) {
        try (Transport.Reply r = checked(reply); EventJson.Reader events = EventJson.reader(r.body())) {
            Dtos.Event last = null;
            for (Dtos.Event e = EventJson.next(events); e != null; e = EventJson.next(events)) {
                switch (e.type()) {
                    case "heartbeat" -> { }
                    case "error" -> throw CliException.of(e.error());
                    case "result" -> last = e;
                    default -> onEvent.accept(e);
                }
            }
            if (last == null) {
                throw new CliException(ExitCodes.FAILED, "the daemon ended the response without a result; see "
                        + paths.daemonLog());
            }
            return last;
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** Reads a GET stream (logs) to its end; the daemon ends it when the logs end or the client goes away. */
    public void streamLogs(String path, Consumer<Dtos.Event> onEvent) {
        try (Transport.Reply r = open("GET", path, null); EventJson.Reader events = EventJson.reader(r.body())) {
            for (Dtos.Event e = EventJson.next(events); e != null; e = EventJson.next(events)) {
                if ("error".equals(e.type())) {
                    throw CliException.of(e.error());
                }
                if (!"heartbeat".equals(e.type())) {
                    onEvent.accept(e);
                }
            }
        } catch (IOException e) {
            throw broken(e);
        }
    }

    private Transport.Reply open(String method, String path, Object body) throws IOException {
        ensureRunning();
        byte[] bytes = body == null ? null : Json.MAPPER.writeValueAsBytes(body);
        Transport.Reply r;
        if (remote.isPresent()) {
            r = remote.get().send(method, path, bytes);
            return checked(r);
        }
        try {
            UnixHttp.Response u = UnixHttp.send(paths.socket(), method, path, bytes);
            r = new Transport.Reply(u.status(), u.body(), u::close);
        } catch (java.net.SocketException | java.nio.file.NoSuchFileException e) {
            throw new CliException(ExitCodes.DAEMON_UNAVAILABLE, "cannot reach aixcld at " + paths.socket() + ": "
                    + e.getMessage());
        }
        return checked(r);
    }

    private static Transport.Reply checked(Transport.Reply r) throws IOException {
        if (r.status() >= 400) {
            try (r) {
                ApiError error = EventJson.readError(r.body());
                throw CliException.of(error);
            } catch (EventJson.MalformedJsonException e) {
                throw new CliException(ExitCodes.FAILED, "the daemon answered HTTP " + r.status());
            }
        }
        return r;
    }

    private CliException broken(IOException e) {
        return new CliException(ExitCodes.DAEMON_UNAVAILABLE, "lost the connection to aixcld: " + e.getMessage()
                + " (see " + (remote.isPresent() ? "the daemon log on " + remote.get().where() : paths.daemonLog())
                + ")");
    }
}
