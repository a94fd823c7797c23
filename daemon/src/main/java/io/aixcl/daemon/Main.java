package io.aixcl.daemon;

import io.aixcl.api.AixclPaths;
import io.aixcl.core.AixclException;
import io.aixcl.daemon.access.AccessPolicy;
import io.aixcl.daemon.http.ApiServer;
import io.aixcl.daemon.http.Router;
import io.aixcl.daemon.remote.FailureThrottle;
import io.aixcl.daemon.remote.ListenPlan;
import io.aixcl.daemon.remote.LocalCa;
import io.aixcl.daemon.remote.RemoteApiServer;
import io.aixcl.daemon.tokens.TokenRoutes;
import io.aixcl.daemon.tokens.TokenService;
import io.aixcl.daemon.stack.ActiveProfile;
import io.aixcl.daemon.stack.StackRoutes;
import io.aixcl.engine.docker.DockerApiEngine;
import io.aixcl.engine.docker.EngineSettings;
import io.aixcl.engine.docker.HostEnvironment;
import io.aixcl.stackfile.Settings;
import io.aixcl.state.LazyStateStore;
import io.aixcl.state.StateDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/** aixcld: the composition root. Wires the adapters to the domain and serves the API until told to stop. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) {
        HostEnvironment host = HostEnvironment.current();
        AixclPaths paths = AixclPaths.fromEnvironment(host.env(), host.uid());
        try {
            System.exit(run(paths, host, List.of(args)));
        } catch (AixclException.Conflict e) {
            System.err.println("aixcld: " + e.getMessage());
            System.exit(7);
        } catch (AixclException.InvalidInput e) {
            System.err.println("aixcld: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("aixcld: cannot start: " + e.getMessage());
            LOG.log(Level.SEVERE, "cannot start", e);
            System.exit(1);
        }
    }

    static int run(AixclPaths paths, HostEnvironment host) throws Exception {
        return run(paths, host, List.of());
    }

    static int run(AixclPaths paths, HostEnvironment host, List<String> args) throws Exception {
        privateDirectory(paths.runtime());
        Files.createDirectories(paths.config());
        Files.createDirectories(paths.data());
        try (DaemonLock lock = DaemonLock.acquire(paths.lockFile(), paths.socket())) {
            DaemonLogging.configure(paths.daemonLog());
            Settings settings = Settings.load(paths.settingsFile());
            // Checked before anything starts: a listener that may not run must stop the daemon, not be skipped.
            Optional<ListenPlan> listen = ListenPlan.resolve(args, settings.listen());
            Optional<Path> stackFile = Optional.of(settings.stackFile());
            privateDirectory(paths.secretsDir());
            EngineConnector engines = new EngineConnector(() -> DockerApiEngine.connect(
                    EngineSettings.of(settings.engineSocket().map(Path::toString), paths.runtime(), paths.secretsDir()), host));
            CountDownLatch stopped = new CountDownLatch(1);
            Router router = new Router();
            new DaemonRoutes(paths, engines, stopped::countDown, stackFile.map(Path::toString),
                    settings.defaultProfile().orElse("(from the stack file)")).register(router);
            StackRoutes stacks = new StackRoutes(new CatalogStackSource(paths.secretsDir()), engines,
                    new ActiveProfile(paths.stateFile()), paths.secretsDir(), stackFile,
                    settings.defaultProfile().orElse(null));
            stacks.register(router);
            LazyStateStore state = new LazyStateStore(StateDatabase.of(settings.state().jdbcUrl(),
                    settings.state().passwordFile(), paths.data()));
            TokenService tokens = new TokenService(() -> state.get().tokens(), InstantSource.system());
            Path tlsDir = paths.data().resolve("tls");
            LocalCa ca = new LocalCa(tlsDir);
            new TokenRoutes(tokens, ca).register(router);
            AccessPolicy access = new AccessPolicy(System.getProperty("user.name"),
                    Set.copyOf(settings.accessUsers()), Set.copyOf(settings.accessGroups()));
            // One hook for refusals on every listener (Unix socket and TLS), so they are recorded alike.
            ApiServer.RefusalListener refusals = (peer, method, path, reason) ->
                    LOG.warning("refused " + method + " " + path + " from "
                            + peer.map(Object::toString).orElse("an unknown peer") + ": " + reason);
            ApiServer server = new ApiServer(paths.socket(), router, access, refusals);
            // The TLS listener comes up before the socket answers, so once 'aixcl daemon start --listen' returns,
            // both listen (or the daemon has exited saying why).
            Optional<RemoteApiServer> remote = Optional.empty();
            if (listen.isPresent()) {
                state.get(); // fail at start, not at the first request, if the state database is unusable
                RemoteApiServer tls = new RemoteApiServer(listen.get(), ca, tlsDir, router, tokens,
                        new FailureThrottle(InstantSource.system()), refusals);
                try {
                    tls.start();
                } catch (IOException e) {
                    tls.close();
                    throw new AixclException.Conflict("cannot listen on " + listen.get().address() + ": "
                            + e.getMessage() + " (is another program using the port?)");
                }
                remote = Optional.of(tls);
                if (!listen.get().address().isLoopback()) {
                    LOG.warning("the TLS listener on " + listen.get().address() + " is reachable from other machines "
                            + "(allow_remote); every request needs a token");
                }
                LOG.info("aixcld listening on https://" + listen.get().address() + " (TLS, bearer tokens"
                        + (listen.get().needClientAuth() ? ", client certificates required" : "") + "; CA "
                        + ca.certificateFile() + ", state " + state.database().describe() + ")");
            }
            Optional<RemoteApiServer> remoteServer = remote;
            try {
                server.start();
            } catch (Exception e) {
                remoteServer.ifPresent(RemoteApiServer::close);
                throw e;
            }
            LOG.info("aixcld listening on " + paths.socket() + " (pid " + ProcessHandle.current().pid() + ")");
            // Connect to the engine now, in the background, so the first command does not pay for it.
            Thread.ofVirtual().start(() -> {
                try {
                    engines.engine();
                    stacks.resumeWatching();
                } catch (RuntimeException e) {
                    LOG.warning("no container engine yet, or no stack to watch: " + e.getMessage());
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopped.countDown();
                remoteServer.ifPresent(RemoteApiServer::close);
                shutdown(server, stacks, engines);
                state.close();
            }, "shutdown"));
            stopped.await();
            remoteServer.ifPresent(RemoteApiServer::close);
            shutdown(server, stacks, engines);
            state.close();
            LOG.info("aixcld stopped");
            return 0;
        }
    }

    private static volatile boolean shutDown;

    private static synchronized void shutdown(ApiServer server, StackRoutes stacks, EngineConnector engines) {
        if (shutDown) {
            return;
        }
        shutDown = true;
        server.close();
        stacks.close();
        engines.close();
    }

    /** Creates {@code dir} owned by this user with mode 0700, and tightens it if it exists looser. */
    static void privateDirectory(Path dir) throws IOException {
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
        }
        Files.setPosixFilePermissions(dir, owner);
    }
}
