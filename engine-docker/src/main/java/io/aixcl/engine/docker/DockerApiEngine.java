package io.aixcl.engine.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ContainerSpec;
import io.aixcl.core.engine.ContainerState;
import io.aixcl.core.engine.EngineInfo;
import io.aixcl.core.engine.ExecResult;
import io.aixcl.core.engine.LogLine;
import io.aixcl.core.engine.PullProgress;
import io.aixcl.core.engine.VolumeInfo;
import io.aixcl.core.stack.ImageRef;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@link ContainerEngine} over the Docker-compatible Engine API, which both Podman and Docker serve, on a local
 * Unix socket. Build it with {@link #connect}; it owns the Podman API service discovery may have started.
 */
public final class DockerApiEngine implements ContainerEngine {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Handshake answers are small and immediate; a socket that takes longer is not a healthy engine. */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final DockerHttpClient http;
    private final DockerClient client;
    private final EngineInfo info;
    private final SecretMountPolicy secrets;
    private final EngineErrors errors;
    private final Optional<PodmanService> service;
    private static final int MAX_CACHED_INSPECTS = 1024;
    /** By container id: see {@link #listContainers}. */
    private final Map<String, Inspected> inspected = new java.util.concurrent.ConcurrentHashMap<>();

    private DockerApiEngine(DockerHttpClient http, DockerClient client, EngineInfo info, SecretMountPolicy secrets,
            EngineErrors errors, Optional<PodmanService> service) {
        this.http = http;
        this.client = client;
        this.info = info;
        this.secrets = secrets;
        this.errors = errors;
        this.service = service;
    }

    /** Finds the engine as {@code settings} and {@code host} say, starting Podman's API service if needed. */
    public static DockerApiEngine connect(EngineSettings settings, HostEnvironment host) {
        var locator = new EngineLocator(SocketStrategies.standard(settings.socket(), host),
                SocketProbe.ping(Duration.ofSeconds(2)), host,
                settings.startPodmanService() ? Optional.of(settings.runtimeDir()) : Optional.empty(),
                settings.serviceStartTimeout());
        return open(locator.locate(), settings.secretsDir());
    }

    /** Talks to the engine at an already located socket (negotiating the API version first). */
    public static DockerApiEngine open(EngineLocation location, Path secretsDir) {
        Path socket = location.socket();
        EngineHandshake.Result handshake;
        try (DockerHttpClient probe = Transports.unix(socket, CONNECT_TIMEOUT, HANDSHAKE_TIMEOUT, 1)) {
            handshake = EngineHandshake.perform(probe);
        } catch (AixclException e) {
            location.service().ifPresent(PodmanService::close);
            throw e;
        } catch (IOException | RuntimeException e) {
            location.service().ifPresent(PodmanService::close);
            throw new AixclException.EngineUnavailable("the engine at " + socket + " did not complete the API"
                    + " handshake: " + EngineErrors.rootMessage(e) + "; check that the engine is running and this"
                    + " user may open the socket (aixcl engine info lists what was tried)", e);
        }
        // Log following holds a connection each, so the pool is larger than the API calls alone would need.
        DockerHttpClient http = Transports.unix(socket, CONNECT_TIMEOUT, null, 64);
        var config = new DefaultDockerClientConfig.Builder().withDockerHost("unix://" + socket)
                .withApiVersion(handshake.apiVersion().toString()).build();
        DockerClient client = DockerClientImpl.getInstance(config, http);
        var info = new EngineInfo(handshake.server().engine(), handshake.server().version(),
                handshake.apiVersion().toString(), handshake.rootless(), socket.toString(), location.selectedBy(),
                location.service().isPresent(), location.considered().stream().map(Consideration::toString).toList());
        return new DockerApiEngine(http, client, info, new SecretMountPolicy(secretsDir), new EngineErrors(socket),
                location.service());
    }

    /** The underlying client, for tests that check what the engine was actually asked to do. */
    DockerClient client() {
        return client;
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public boolean imageExists(String image) {
        try {
            client.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            throw errors.translate(e, "inspect image " + image);
        }
    }

    @Override
    public void pullImage(String image, Consumer<PullProgress> progress) {
        String problem = ImageRef.problem(image);
        if (problem != null && !problem.startsWith("no tag")) {
            throw new AixclException.InvalidInput("invalid image reference '" + image + "': " + problem);
        }
        AtomicReference<String> registryError = new AtomicReference<>();
        var callback = new ResultCallback.Adapter<PullResponseItem>() {
            @Override
            public void onNext(PullResponseItem item) {
                if (item.isErrorIndicated()) {
                    ResponseItem.ErrorDetail detail = item.getErrorDetail();
                    registryError.compareAndSet(null, detail != null && detail.getMessage() != null
                            ? detail.getMessage() : "the engine reported a failed pull without details");
                    return;
                }
                var d = item.getProgressDetail();
                progress.accept(new PullProgress(image, item.getId() == null ? "" : item.getId(),
                        item.getStatus() == null ? "" : item.getStatus(),
                        d == null || d.getCurrent() == null ? 0 : d.getCurrent(),
                        d == null || d.getTotal() == null ? 0 : d.getTotal()));
            }
        };
        ImageName name = ImageName.split(image);
        try {
            client.pullImageCmd(name.repository()).withTag(name.tag()).exec(callback).awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AixclException.Cancelled("pull of " + image + " interrupted");
        } catch (com.github.dockerjava.api.exception.DockerException e) {
            registryError.compareAndSet(null, EngineErrors.engineMessage(e));
        } catch (RuntimeException e) {
            throw errors.translate(e, "pull " + image);
        }
        if (registryError.get() != null) {
            throw new AixclException.ImageUnavailable(image, image + ": " + registryError.get(), null);
        }
    }

    @Override
    public void ensureVolume(String name, Map<String, String> labels) {
        try {
            client.inspectVolumeCmd(name).exec();
            return;
        } catch (NotFoundException e) {
            // Create it below.
        } catch (RuntimeException e) {
            throw errors.translate(e, "inspect volume " + name);
        }
        try {
            client.createVolumeCmd().withName(name).withLabels(labels).exec();
        } catch (ConflictException e) {
            // Created concurrently: it exists, which is all that was asked.
        } catch (RuntimeException e) {
            throw errors.translate(e, "create volume " + name);
        }
    }

    @Override
    public List<VolumeInfo> listVolumes(Map<String, String> labelFilter) {
        try {
            var cmd = client.listVolumesCmd();
            if (!labelFilter.isEmpty()) {
                cmd.withFilter("label", labelFilter.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
            }
            var volumes = cmd.exec().getVolumes();
            return volumes == null ? List.of() : volumes.stream()
                    .map(v -> new VolumeInfo(v.getName(), v.getLabels() == null ? Map.of() : v.getLabels()))
                    .filter(v -> v.labels().entrySet().containsAll(labelFilter.entrySet()))
                    .toList();
        } catch (RuntimeException e) {
            throw errors.translate(e, "list volumes");
        }
    }

    @Override
    public void removeVolume(String name) {
        try {
            client.removeVolumeCmd(name).exec();
        } catch (RuntimeException e) {
            throw errors.translate(e, "remove volume " + name);
        }
    }

    @Override
    public String createContainer(ContainerSpec spec) {
        var cmd = ContainerCreation.apply(client.createContainerCmd(spec.image()), spec, secrets);
        try {
            return cmd.exec().getId();
        } catch (NotFoundException e) {
            throw new AixclException.ImageUnavailable(spec.image(), "create container " + spec.name() + ": "
                    + EngineErrors.engineMessage(e), e);
        } catch (RuntimeException e) {
            AixclException translated = errors.translate(e, "create container " + spec.name());
            // Podman's compat API reports a name in use as a 500, Docker as a 409.
            if (translated instanceof AixclException.Failed && translated.getMessage().contains("already in use")) {
                throw new AixclException.Conflict(translated.getMessage());
            }
            throw translated;
        }
    }

    @Override
    public void startContainer(String id) {
        try {
            client.startContainerCmd(id).exec();
        } catch (NotModifiedException e) {
            // Already running.
        } catch (RuntimeException e) {
            throw errors.translate(e, "start container " + id);
        }
    }

    @Override
    public void stopContainer(String id, Duration timeout) {
        try {
            client.stopContainerCmd(id).withTimeout(Math.toIntExact(Math.max(0, timeout.toSeconds()))).exec();
        } catch (NotModifiedException e) {
            // Already stopped: not an error (see the port).
        } catch (RuntimeException e) {
            throw errors.translate(e, "stop container " + id);
        }
    }

    @Override
    public void removeContainer(String id) {
        try {
            // Forced: removing is how the daemon gets rid of a container, running or not.
            inspected.remove(id);
            client.removeContainerCmd(id).withForce(true).withRemoveVolumes(false).exec();
        } catch (RuntimeException e) {
            throw errors.translate(e, "remove container " + id);
        }
    }

    @Override
    public List<ContainerState> listContainers(Map<String, String> labelFilter) {
        List<com.github.dockerjava.api.model.Container> summaries;
        try {
            var cmd = client.listContainersCmd().withShowAll(true);
            if (!labelFilter.isEmpty()) {
                cmd.withLabelFilter(labelFilter);
            }
            summaries = cmd.exec();
        } catch (RuntimeException e) {
            throw errors.translate(e, "list containers");
        }
        // The summary lacks exit code, restart count, start time and OOM state; inspect fills them in. An inspect
        // is reused while the container's summary (state and status text, e.g. "Up 5 minutes", "Exited (0) 2
        // seconds ago") is unchanged: a start, stop, restart or exit changes that text. The others run
        // concurrently. Sequential inspects were most of a status call (~2 ms each on Podman, more under load).
        Map<String, Optional<ContainerState>> fresh = new java.util.HashMap<>();
        List<String> toInspect = new ArrayList<>();
        for (var summary : summaries) {
            Inspected cached = inspected.get(summary.getId());
            if (cached != null && cached.matches(summary)) {
                fresh.put(summary.getId(), Optional.of(cached.state()));
            } else {
                toInspect.add(summary.getId());
            }
        }
        List<Optional<ContainerState>> results = toInspect.size() <= 1
                ? toInspect.stream().map(this::inspectContainer).toList() : inspectAll(toInspect);
        for (int i = 0; i < toInspect.size(); i++) {
            fresh.put(toInspect.get(i), results.get(i));
        }
        if (inspected.size() > MAX_CACHED_INSPECTS) {
            inspected.clear();
        }
        List<ContainerState> states = new ArrayList<>();
        for (var summary : summaries) {
            Optional<ContainerState> state = fresh.get(summary.getId());
            if (state.isPresent() && toInspect.contains(summary.getId()) && summary.getStatus() != null) {
                inspected.put(summary.getId(), new Inspected(summary.getState(), summary.getStatus(), state.get()));
            }
            state.filter(c -> c.labels().entrySet().containsAll(labelFilter.entrySet())).ifPresent(states::add);
        }
        return states;
    }

    /** An inspect answer and the list summary it was taken with. */
    private record Inspected(String engineState, String engineStatus, ContainerState state) {
        boolean matches(com.github.dockerjava.api.model.Container summary) {
            return engineStatus.equals(summary.getStatus()) && java.util.Objects.equals(engineState,
                    summary.getState());
        }
    }

    private List<Optional<ContainerState>> inspectAll(List<String> ids) {
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Optional<ContainerState>>> futures = new ArrayList<>();
            for (String id : ids) {
                futures.add(pool.submit(() -> inspectContainer(id)));
            }
            List<Optional<ContainerState>> result = new ArrayList<>();
            for (var f : futures) {
                result.add(f.get());
            }
            return result;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw errors.translate(e.getCause(), "inspect containers");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AixclException.Cancelled("interrupted while inspecting containers");
        }
    }

    @Override
    public Optional<ContainerState> inspectContainer(String idOrName) {
        for (int attempt = 1; ; attempt++) {
            try {
                return Optional.of(ContainerStates.of(client.inspectContainerCmd(idOrName).exec()));
            } catch (NotFoundException e) {
                return Optional.empty();
            } catch (RuntimeException e) {
                // Podman answers 500 "read /proc/PID/cgroup: no such process" when the container exits while it
                // is being inspected; the next inspect sees the exited state.
                if (attempt < 5 && String.valueOf(e.getMessage()).contains("no such process")) {
                    sleepBriefly(attempt);
                    continue;
                }
                throw errors.translate(e, "inspect container " + idOrName);
            }
        }
    }

    @Override
    public Optional<io.aixcl.core.engine.ContainerSecurity> inspectSecurity(String idOrName) {
        try {
            return Optional.of(ContainerStates.security(client.inspectContainerCmd(idOrName).exec()));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw errors.translate(e, "inspect container " + idOrName);
        }
    }

    @Override
    public Closeable watch(ChangeWatcher watcher) {
        return new EventFollower(client, watcher).start();
    }

    private static void sleepBriefly(int attempt) {
        try {
            Thread.sleep(10L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AixclException.Cancelled("interrupted");
        }
    }

    @Override
    public Closeable logs(String id, int tail, boolean follow, Consumer<LogLine> sink) {
        LogFrames frames = new LogFrames(sink);
        var callback = new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                frames.accept(frame);
            }

            @Override
            public void onComplete() {
                frames.flush();
                super.onComplete();
            }
        };
        var cmd = client.logContainerCmd(id).withStdOut(true).withStdErr(true).withTimestamps(true)
                .withFollowStream(follow);
        if (tail >= 0) {
            cmd.withTail(tail);
        } else {
            cmd.withTailAll();
        }
        try {
            cmd.exec(callback);
            if (!follow) {
                callback.awaitCompletion();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(callback);
            throw new AixclException.Cancelled("reading logs of " + id + " interrupted");
        } catch (RuntimeException e) {
            closeQuietly(callback);
            throw errors.translate(e, "logs of container " + id);
        }
        return callback;
    }

    @Override
    public ExecResult exec(String id, List<String> argv, Duration timeout) {
        if (argv.isEmpty()) {
            throw new AixclException.InvalidInput("exec needs a program to run");
        }
        String execId;
        try {
            execId = client.execCreateCmd(id).withCmd(argv.toArray(String[]::new)).withAttachStdout(true)
                    .withAttachStderr(true).exec().getId();
        } catch (RuntimeException e) {
            AixclException translated = errors.translate(e, "exec in container " + id);
            // An exec in a stopped container is refused with 409, which is no name conflict.
            throw translated instanceof AixclException.Conflict
                    ? new AixclException.Failed(translated.getMessage(), e) : translated;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        var callback = new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (output) {
                    output.writeBytes(frame.getPayload());
                }
            }
        };
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            client.execStartCmd(execId).exec(callback);
            if (!callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                closeQuietly(callback);
                throw new AixclException.Failed("exec " + argv + " in container " + id + " did not finish within "
                        + timeout.toMillis() + " ms", null);
            }
            InspectExecResponse result = client.inspectExecCmd(execId).exec();
            // The stream can end a moment before the engine records the exit code.
            while (Boolean.TRUE.equals(result.isRunning()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
                result = client.inspectExecCmd(execId).exec();
            }
            Long code = result.getExitCodeLong();
            synchronized (output) {
                return new ExecResult(code == null ? -1 : code.intValue(), output.toString(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(callback);
            throw new AixclException.Cancelled("exec in " + id + " interrupted");
        } catch (RuntimeException e) {
            closeQuietly(callback);
            throw errors.translate(e, "exec in container " + id);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // Closing: nothing to do about it.
        } finally {
            service.ifPresent(PodmanService::close);
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Best effort.
        }
    }

    /** An image reference split the way the pull endpoint wants it: repository, and tag or digest. */
    record ImageName(String repository, String tag) {
        static ImageName split(String image) {
            int at = image.indexOf('@');
            if (at >= 0) {
                return new ImageName(image.substring(0, at), image.substring(at + 1));
            }
            int colon = image.lastIndexOf(':');
            if (colon > image.lastIndexOf('/')) {
                return new ImageName(image.substring(0, colon), image.substring(colon + 1));
            }
            return new ImageName(image, "latest");
        }
    }
}
