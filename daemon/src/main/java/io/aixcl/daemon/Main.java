package io.aixcl.daemon;

import io.aixcl.api.AixclPaths;
import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ListingCache;
import io.aixcl.daemon.access.AccessPolicy;
import io.aixcl.daemon.doctor.DoctorRoutes;
import io.aixcl.core.engine.EngineInfo;
import io.aixcl.core.secrets.Redactor;
import io.aixcl.daemon.secrets.RevealRecorder;
import io.aixcl.daemon.secrets.SecretRoutes;
import io.aixcl.audit.AuditLogRefusedException;
import io.aixcl.audit.AuditStore;
import io.aixcl.audit.AuditStoreConfig;
import io.aixcl.daemon.audit.RequestAudit;
import io.aixcl.core.models.ModelStore;
import io.aixcl.daemon.http.ApiServer;
import io.aixcl.daemon.inference.EngineChoice;
import io.aixcl.daemon.inference.RuntimeCore;
import io.aixcl.daemon.models.ModelRoutes;
import io.aixcl.engine.llama.EmbeddedEngine;
import io.aixcl.engine.llama.EmbeddedEngineConfig;
import io.aixcl.models.LocalModelStore;
import io.aixcl.models.ModelStoreSettings;
import io.aixcl.daemon.http.RouteDispatch;
import io.aixcl.daemon.http.Router;
import io.aixcl.daemon.remote.FailureThrottle;
import io.aixcl.daemon.remote.ListenPlan;
import io.aixcl.daemon.remote.LocalCa;
import io.aixcl.daemon.remote.RemoteApiServer;
import io.aixcl.daemon.keys.KeyRoutes;
import io.aixcl.daemon.keys.KeyService;
import io.aixcl.engine.http.OllamaEngine;
import io.aixcl.engine.http.OpenAiCompatibleEngine;
import io.aixcl.engine.http.UpstreamConfig;
import io.aixcl.gateway.GatewayConfig;
import io.aixcl.gateway.GatewayServer;
import io.aixcl.gateway.http.GatewayTransport;
import io.netty.channel.EventLoopGroup;
import io.aixcl.gateway.embed.MiniLmEmbedder;
import io.aixcl.daemon.tokens.TokenRoutes;
import io.aixcl.daemon.tokens.TokenService;
import io.aixcl.daemon.stack.ActiveProfile;
import io.aixcl.daemon.stack.StackRoutes;
import io.aixcl.engine.docker.DockerApiEngine;
import io.aixcl.engine.docker.EngineSettings;
import io.aixcl.engine.docker.HostEnvironment;
import io.aixcl.secrets.CommandRunner;
import io.aixcl.secrets.EncryptedSecretStore;
import io.aixcl.secrets.EngineMode;
import io.aixcl.secrets.FileSecretDelivery;
import io.aixcl.secrets.KeySource;
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
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** aixcld: the composition root. Wires the adapters to the domain and serves the API until told to stop. */
public final class Main {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) {
        JvmFootprint.apply();
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

    /** Exit code of a daemon that will not run on an audit log that fails verification. */
    static final int AUDIT_REFUSED = 10;

    static int run(AixclPaths paths, HostEnvironment host) throws Exception {
        return run(paths, host, List.of());
    }

    static int run(AixclPaths paths, HostEnvironment host, List<String> args) throws Exception {
        boolean auditOverride = args.contains("--audit-override");
        privateDirectory(paths.runtime());
        Files.createDirectories(paths.config());
        Files.createDirectories(paths.data());
        try (DaemonLock lock = DaemonLock.acquire(paths.lockFile(), paths.socket())) {
            DaemonLogging.configure(paths.daemonLog());
            // Before anything can log a value: the redactor learns each secret as the store makes or reads it.
            Redactor redactor = new Redactor();
            DaemonLogging.redactWith(redactor);
            Settings settings = Settings.load(paths.settingsFile());
            AuditStore auditStore;
            try {
                // Verified against the latest witnessed checkpoint; a mismatch stops the daemon unless overridden.
                auditStore = AuditStore.open(AuditStoreConfig.of(paths.data().resolve("audit"),
                        paths.config().resolve("audit-witness")).withOverride(auditOverride));
            } catch (AuditLogRefusedException e) {
                System.err.println("aixcld: " + e.getMessage());
                System.err.println("aixcld: inspect it with 'aixcl audit verify'; to run anyway (recorded in the log):"
                        + " aixcl daemon start --audit-override");
                LOG.severe("audit log refused: " + e.getMessage());
                return AUDIT_REFUSED;
            }
            RequestAudit audit = new RequestAudit(auditStore, java.time.Clock.systemUTC(), redactor);
            var opened = auditStore.openReport();
            audit.daemon("daemon.start", java.util.Map.of("pid", Long.toString(ProcessHandle.current().pid()),
                    "version", Version.current(), "trimmedBytes", Long.toString(opened.trimmedBytes()),
                    "overridden", Boolean.toString(opened.overridden())));
            // Checked before anything starts: a listener that may not run must stop the daemon, not be skipped.
            Optional<ListenPlan> listen = ListenPlan.resolve(args, settings.listen());
            Optional<Path> stackFile = Optional.of(settings.stackFile());
            privateDirectory(paths.secretsDir());
            EncryptedSecretStore secretStore = EncryptedSecretStore.open(paths.data().resolve("secrets"),
                    KeySource.fromEnvironment(host.env(), paths.data().resolve("secrets.key")), redactor::learn);
            learnStoredSecrets(secretStore);
            // Listings come from memory while the engine's event stream says nothing changed.
            EngineConnector engines = new EngineConnector(() -> new ListingCache(DockerApiEngine.connect(
                    EngineSettings.of(settings.engineSocket().map(Path::toString), paths.runtime(), paths.secretsDir()),
                    host)));
            // --- inference: the runtime core, and the InferenceBackends the gateway serves (runtimeCore) ---
            Supplier<ModelStore> modelStore = ModelRoutes.lazy(() -> new LocalModelStore(
                    ModelStoreSettings.defaults(paths.data().resolve("models"), host.env())));
            EmbeddedEngineConfig embedded = EmbeddedEngineConfig.defaults(paths.runtime().resolve("engine-llama"));
            EmbeddedEngineConfig embeddedConfig = settings.inference().threads().isPresent()
                    ? embedded.withThreads(settings.inference().threads().getAsInt()) : embedded;
            // One set of event loops for the gateway and the HTTP engines: a whole answer's upstream exchange runs on
            // the loop that read the request and writes the answer (no thread hand-off).
            // Netty's epoll library is unpacked from its jar before it is loaded: into the daemon's own 0700 folder,
            // not the shared /tmp.
            if (System.getProperty("io.netty.native.workdir") == null) {
                System.setProperty("io.netty.native.workdir", paths.runtime().toString());
            }
            EventLoopGroup loops = GatewayTransport.newLoops("gateway");
            RuntimeCore runtimeCore = new RuntimeCore(settings.inference(), modelStore,
                    () -> new EmbeddedEngine(embeddedConfig),
                    upstreamEngines(settings.inference(), loops), () -> containerEngineProblem(engines));
            // --- end inference ---
            CountDownLatch stopped = new CountDownLatch(1);
            Router router = new Router();
            new DaemonRoutes(paths, engines, stopped::countDown, stackFile.map(Path::toString),
                    settings.defaultProfile().orElse("(from the stack file)"), runtimeCore).register(router);
            FileSecretDelivery secretFiles = new FileSecretDelivery(secretStore, paths.secretsDir(), () -> {
                EngineInfo info = engines.engine().info();
                return new EngineMode(info.engine(), info.rootless(), host.uid());
            }, CommandRunner.PROCESSES);
            StackRoutes stacks = new StackRoutes(new CatalogStackSource(paths.secretsDir()), engines,
                    new ActiveProfile(paths.stateFile()), paths.secretsDir(), stackFile,
                    settings.defaultProfile().orElse(null), secretFiles, runtimeCore);
            stacks.register(router);
            new DoctorRoutes(paths, engines, stacks::activePlan, !settings.accessGroups().isEmpty(),
                    () -> Optional.of(auditStatus(auditStore))).register(router);
            new SecretRoutes(secretStore, stacks, RevealRecorder.DAEMON_LOG, new io.aixcl.daemon.secrets.RotationHooks(
                    engines::engine, secretFiles, paths.secretsDir(), redactor)).register(router);
            new io.aixcl.daemon.audit.AuditRoutes(auditStore).register(router);
            new ModelRoutes(modelStore).register(router);
            LazyStateStore state = new LazyStateStore(StateDatabase.of(settings.state().jdbcUrl(),
                    settings.state().passwordFile(), paths.data()));
            TokenService tokens = new TokenService(() -> state.get().tokens(), InstantSource.system());
            Path tlsDir = paths.data().resolve("tls");
            LocalCa ca = new LocalCa(tlsDir);
            new TokenRoutes(tokens, ca).register(router);
            // The gateway's KeyAuthority: hand this instance to the gateway. Its keys load from the state store at
            // first use; usage is written behind (every second) and flushed at shutdown.
            KeyService keys = new KeyService(() -> state.get().keys(), InstantSource.system());
            new KeyRoutes(keys).register(router);
            AccessPolicy access = new AccessPolicy(System.getProperty("user.name"),
                    Set.copyOf(settings.accessUsers()), Set.copyOf(settings.accessGroups()));
            // One hook for refusals on every listener (Unix socket and TLS), so they are recorded alike.
            ApiServer.RefusalListener refusals = (peer, method, path, reason) -> {
                LOG.warning("refused " + method + " " + path + " from "
                        + peer.map(Object::toString).orElse("an unknown peer") + ": " + reason);
                audit.refused(peer, method, path, reason);
            };
            // One dispatch for every listener: routing, the audit entry before each acknowledgement, scrubbing.
            RouteDispatch dispatch = new RouteDispatch(router, audit, redactor);
            ApiServer server = new ApiServer(paths.socket(), dispatch, access, refusals);
            // The TLS listener comes up before the socket answers, so once 'aixcl daemon start --listen' returns,
            // both listen (or the daemon has exited saying why).
            Optional<RemoteApiServer> remote = Optional.empty();
            if (listen.isPresent()) {
                state.get(); // fail at start, not at the first request, if the state database is unusable
                RemoteApiServer tls = new RemoteApiServer(listen.get(), ca, tlsDir, dispatch, tokens,
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
            Optional<GatewayServer> gateway = startGateway(settings.gateway(), runtimeCore, keys, auditStore, loops);
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
                shutdown(server, stacks, engines, audit, auditStore, runtimeCore, gateway, keys);
                loops.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
                state.close();
            }, "shutdown"));
            stopped.await();
            remoteServer.ifPresent(RemoteApiServer::close);
            shutdown(server, stacks, engines, audit, auditStore, runtimeCore, gateway, keys);
            loops.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
            state.close();
            LOG.info("aixcld stopped");
            return 0;
        }
    }

    /**
     * Reads every stored secret once so the redactor knows it: a value made before this daemon started can still
     * turn up in a container's log. A damaged secret is reported, not fatal: only its own users fail.
     */
    private static void learnStoredSecrets(EncryptedSecretStore store) {
        try {
            for (var info : store.list()) {
                try {
                    java.util.Arrays.fill(store.reveal(info.name()), '\0');
                } catch (AixclException e) {
                    LOG.warning(e.getMessage());
                }
            }
        } catch (AixclException e) {
            LOG.warning(e.getMessage());
        }
    }

    private static io.aixcl.core.doctor.Facts.AuditStatus auditStatus(AuditStore store) {
        var report = store.openReport();
        boolean ok = report.verification() instanceof io.aixcl.audit.Verification.Valid;
        String detail = switch (report.verification()) {
            case io.aixcl.audit.Verification.Valid v -> "verified at start: " + v.size() + " entries, "
                    + v.witnessedSize() + " covered by the witnessed checkpoint; " + store.size() + " now";
            case io.aixcl.audit.Verification.Invalid i -> "INVALID at entry " + i.firstBadIndex() + ": " + i.reason();
        };
        return new io.aixcl.core.doctor.Facts.AuditStatus(ok, detail, report.trimmedBytes(), report.overridden(),
                store.checkpointProblem());
    }

    private static volatile boolean shutDown;

    private static synchronized void shutdown(ApiServer server, StackRoutes stacks, EngineConnector engines,
                                              RequestAudit audit, AuditStore auditStore, RuntimeCore runtimeCore,
                                              Optional<GatewayServer> gateway, KeyService keys) {
        if (shutDown) {
            return;
        }
        shutDown = true;
        server.close();
        // The gateway first (its requests settle and are audited), then the keys' final usage flush.
        gateway.ifPresent(GatewayServer::close);
        keys.close();
        stacks.close();
        try {
            runtimeCore.close(); // stops the embedded engine's worker process with the daemon
        } catch (RuntimeException e) {
            LOG.warning("inference: " + e.getMessage());
        }
        engines.close();
        try {
            audit.daemon("daemon.stop", java.util.Map.of());
        } catch (RuntimeException e) {
            LOG.warning(e.getMessage());
        }
        auditStore.close(); // settles pending appends and writes the final signed checkpoint
    }

    /**
     * The endpoint every client uses. A gateway that cannot listen (the port is taken, say by an Ollama the user
     * runs outside aixcl) is reported, not fatal: the control plane still serves, and {@code doctor} and the log say
     * why inference is unreachable.
     */
    private static Optional<GatewayServer> startGateway(Settings.Gateway settings, RuntimeCore backends,
                                                        KeyService keys, AuditStore auditLog, EventLoopGroup loops) {
        java.net.InetSocketAddress address = settings.listen().socketAddress();
        GatewayConfig config = GatewayConfig.defaults()
                .withAllowedHosts(Set.copyOf(settings.allowedHosts()))
                .withCorsOrigins(Set.copyOf(settings.corsOrigins()));
        config = settings.allowRemote() ? config.withRemoteListen(address) : config.withListen(address);
        GatewayServer gateway = new GatewayServer(config, backends, keys, auditLog, new MiniLmEmbedder(),
                java.time.Clock.systemUTC(), loops);
        try {
            gateway.start();
        } catch (RuntimeException e) {
            gateway.close();
            LOG.warning("the inference gateway cannot listen on " + settings.listen() + ": " + e.getMessage()
                    + " (is another program, such as an Ollama outside aixcl, using the port? Set gateway.listen in "
                    + "settings.yaml)");
            return Optional.empty();
        }
        LOG.info("inference gateway listening on http://" + gateway.address().getHostString() + ":"
                + gateway.address().getPort() + " (OpenAI /v1, Ollama /api; inference keys required)");
        return Optional.of(gateway);
    }

    /**
     * Engines for the upstreams: Ollama (the stack's container at {@code http://127.0.0.1:11435}, or the server at
     * {@code inference.url}) and an OpenAI-compatible {@code inference.url}, with the key from
     * {@code inference.api_key_file} (read at start, never logged).
     */
    private static RuntimeCore.UpstreamEngines upstreamEngines(Settings.Inference inference, EventLoopGroup loops) {
        return new RuntimeCore.UpstreamEngines(
                // A key file is only allowed beside inference.url, so the stack's own container never gets one.
                url -> new OllamaEngine(inference.apiKeyFile()
                        .map(UpstreamConfig.of(url)::withApiKeyFile).orElse(UpstreamConfig.of(url)), loops),
                url -> new OpenAiCompatibleEngine(inference.apiKeyFile()
                        .map(UpstreamConfig.of(url)::withApiKeyFile).orElse(UpstreamConfig.of(url)), loops));
    }

    /** Empty when a container engine answers, else why none does (one line). */
    private static Optional<String> containerEngineProblem(EngineConnector engines) {
        try {
            engines.engine();
            return Optional.empty();
        } catch (AixclException.EngineUnavailable e) {
            return Optional.of(EngineChoice.briefly(e.getMessage()));
        }
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
