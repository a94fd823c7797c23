package io.aixcl.core.engine;

import io.aixcl.core.AixclException;
import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An in-memory engine for unit tests of planning and orchestration. It records every call so tests can assert
 * on what was done, and the same {@link ContainerEngineContract} runs against it and against real Podman.
 */
public class FakeContainerEngine implements ContainerEngine {

    public final Set<String> localImages = ConcurrentHashMap.newKeySet();
    public final Set<String> pullableImages = ConcurrentHashMap.newKeySet();
    public final List<String> calls = new CopyOnWriteArrayList<>();
    /** Container names whose create the engine refuses. */
    public final Set<String> failCreate = ConcurrentHashMap.newKeySet();
    private final Map<String, Container> containers = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, VolumeInfo> volumes = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private static final class Container {
        final ContainerSpec spec;
        final String id;
        ContainerState.Status status = ContainerState.Status.CREATED;
        int exitCode;
        Instant startedAt;
        final List<LogLine> logs = new CopyOnWriteArrayList<>();

        Container(String id, ContainerSpec spec) {
            this.id = id;
            this.spec = spec;
        }

        ContainerState state() {
            return new ContainerState(id, spec.name(), spec.image(), spec.labels(), status, exitCode, 0,
                    Optional.ofNullable(startedAt), Optional.empty(), false);
        }
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("fake", "1.0", "1.41", true, "memory", "fake", false, List.of("fake: in memory"));
    }

    @Override
    public boolean imageExists(String image) {
        return localImages.contains(image);
    }

    @Override
    public void pullImage(String image, Consumer<PullProgress> progress) {
        calls.add("pull " + image);
        if (!pullableImages.contains(image)) {
            throw new AixclException.ImageUnavailable(image, "image " + image + " not found: manifest unknown", null);
        }
        progress.accept(new PullProgress(image, "layer1", "Downloading", 50, 100));
        progress.accept(new PullProgress(image, "layer1", "Download complete", 100, 100));
        localImages.add(image);
    }

    @Override
    public void ensureVolume(String name, Map<String, String> labels) {
        volumes.computeIfAbsent(name, n -> {
            calls.add("volume " + n);
            return new VolumeInfo(n, labels);
        });
    }

    @Override
    public List<VolumeInfo> listVolumes(Map<String, String> labelFilter) {
        return volumes.values().stream().filter(v -> v.labels().entrySet().containsAll(labelFilter.entrySet()))
                .toList();
    }

    @Override
    public void removeVolume(String name) {
        calls.add("remove-volume " + name);
        volumes.remove(name);
    }

    @Override
    public String createContainer(ContainerSpec spec) {
        calls.add("create " + spec.name());
        signalChange();
        if (failCreate.contains(spec.name())) {
            throw new AixclException.Failed("create container " + spec.name() + ": refused by the engine", null);
        }
        synchronized (containers) {
            if (containers.values().stream().anyMatch(c -> c.spec.name().equals(spec.name()))) {
                throw new AixclException.Conflict("container name " + spec.name() + " is already in use");
            }
            if (!localImages.contains(spec.image())) {
                throw new AixclException.ImageUnavailable(spec.image(), "no such image " + spec.image(), null);
            }
            String id = "c" + ids.incrementAndGet();
            containers.put(id, new Container(id, spec));
            return id;
        }
    }

    @Override
    public void startContainer(String id) {
        Container c = find(id);
        calls.add("start " + c.spec.name());
        signalChange();
        c.status = ContainerState.Status.RUNNING;
        c.startedAt = Instant.now();
    }

    @Override
    public void stopContainer(String id, Duration timeout) {
        Container c = find(id);
        calls.add("stop " + c.spec.name());
        signalChange();
        if (c.status == ContainerState.Status.RUNNING) {
            c.status = ContainerState.Status.EXITED;
            c.exitCode = 0;
        }
    }

    @Override
    public void removeContainer(String id) {
        Container c = find(id);
        calls.add("remove " + c.spec.name());
        signalChange();
        containers.remove(c.id);
    }

    @Override
    public List<ContainerState> listContainers(Map<String, String> labelFilter) {
        synchronized (containers) {
            return containers.values().stream()
                    .filter(c -> c.spec.labels().entrySet().containsAll(labelFilter.entrySet()))
                    .map(Container::state).toList();
        }
    }

    @Override
    public Optional<ContainerState> inspectContainer(String idOrName) {
        return findOptional(idOrName).map(Container::state);
    }

    @Override
    public Closeable logs(String id, int tail, boolean follow, Consumer<LogLine> sink) {
        List<LogLine> lines = find(id).logs;
        int from = tail < 0 ? 0 : Math.max(0, lines.size() - tail);
        new ArrayList<>(lines.subList(from, lines.size())).forEach(sink);
        return () -> {};
    }

    @Override
    public Optional<ContainerSecurity> inspectSecurity(String idOrName) {
        return findOptional(idOrName).map(c -> new ContainerSecurity(c.id, c.spec.name(), c.spec.labels(), false,
                c.spec.mounts().stream().map(m -> m instanceof ContainerSpec.VolumeMount v ? v.volume()
                        : ((ContainerSpec.SecretFileMount) m).hostFile()).toList(),
                c.spec.capAdd(), c.spec.environment(), c.spec.hostNetwork() ? "host" : "bridge",
                c.spec.user().orElse("")));
    }

    @Override
    public ExecResult exec(String id, List<String> argv, Duration timeout) {
        Container c = find(id);
        if (c.status != ContainerState.Status.RUNNING) {
            throw new AixclException.Failed("container " + c.spec.name() + " is not running", null);
        }
        return new ExecResult(0, "");
    }

    private final List<ChangeWatcher> watchers = new CopyOnWriteArrayList<>();

    @Override
    public Closeable watch(ChangeWatcher watcher) {
        watchers.add(watcher);
        watcher.connected();
        return () -> watchers.remove(watcher);
    }

    /** Test hook: what an engine event would tell watchers. */
    public void signalChange() {
        watchers.forEach(ChangeWatcher::changed);
    }

    @Override
    public void close() {}

    /** Test hook: the container's process exits with {@code code}. */
    public void crash(String name, int code) {
        Container c = findOptional(name).orElseThrow();
        c.status = ContainerState.Status.EXITED;
        c.exitCode = code;
        signalChange();
    }

    public void log(String name, String text) {
        findOptional(name).orElseThrow().logs.add(new LogLine(LogLine.Stream.STDOUT, Instant.now(), text));
    }

    private Container find(String idOrName) {
        return findOptional(idOrName).orElseThrow(() -> new AixclException.NotFound("no such container " + idOrName));
    }

    private Optional<Container> findOptional(String idOrName) {
        synchronized (containers) {
            Container byId = containers.get(idOrName);
            if (byId != null) {
                return Optional.of(byId);
            }
            return containers.values().stream().filter(c -> c.spec.name().equals(idOrName)).findFirst();
        }
    }
}
