package io.aixcl.core.engine;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Serves container listings from memory while the engine's event stream is up, and drops them on every event and
 * on every change made through it. Without events (stream down) every listing goes to the engine: the cache is
 * never older than the last event, with no time-based guess. A {@code status} then costs no engine round trip.
 */
public final class ListingCache implements ContainerEngine {
    private final ContainerEngine engine;
    private final Map<Map<String, String>, List<ContainerState>> listings = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final Closeable watch;
    private volatile boolean live;

    public ListingCache(ContainerEngine engine) {
        this.engine = engine;
        this.watch = engine.watch(new ChangeWatcher() {
            @Override
            public void connected() {
                invalidate();
                live = true;
            }

            @Override
            public void changed() {
                invalidate();
            }

            @Override
            public void disconnected() {
                live = false;
                invalidate();
            }
        });
    }

    private void invalidate() {
        generation.incrementAndGet();
        listings.clear();
    }

    public boolean live() {
        return live;
    }

    @Override
    public List<ContainerState> listContainers(Map<String, String> labelFilter) {
        if (!live) {
            return engine.listContainers(labelFilter);
        }
        List<ContainerState> cached = listings.get(labelFilter);
        if (cached != null) {
            return cached;
        }
        long before = generation.get();
        List<ContainerState> fresh = List.copyOf(engine.listContainers(labelFilter));
        // Kept only when no change arrived while it was read: such a listing may already be stale.
        if (generation.get() == before && live) {
            listings.put(Map.copyOf(labelFilter), fresh);
        }
        return fresh;
    }

    // Everything else goes straight through; what changes state also drops the listings, without waiting for
    // the event that will say the same.

    @Override
    public EngineInfo info() {
        return engine.info();
    }

    @Override
    public boolean imageExists(String image) {
        return engine.imageExists(image);
    }

    @Override
    public void pullImage(String image, Consumer<PullProgress> progress) {
        engine.pullImage(image, progress);
    }

    @Override
    public void ensureVolume(String name, Map<String, String> labels) {
        engine.ensureVolume(name, labels);
    }

    @Override
    public List<VolumeInfo> listVolumes(Map<String, String> labelFilter) {
        return engine.listVolumes(labelFilter);
    }

    @Override
    public void removeVolume(String name) {
        engine.removeVolume(name);
    }

    @Override
    public String createContainer(ContainerSpec spec) {
        try {
            return engine.createContainer(spec);
        } finally {
            invalidate();
        }
    }

    @Override
    public void startContainer(String id) {
        try {
            engine.startContainer(id);
        } finally {
            invalidate();
        }
    }

    @Override
    public void stopContainer(String id, Duration timeout) {
        try {
            engine.stopContainer(id, timeout);
        } finally {
            invalidate();
        }
    }

    @Override
    public void removeContainer(String id) {
        try {
            engine.removeContainer(id);
        } finally {
            invalidate();
        }
    }

    @Override
    public Optional<ContainerState> inspectContainer(String idOrName) {
        return engine.inspectContainer(idOrName);
    }

    @Override
    public Closeable logs(String id, int tail, boolean follow, Consumer<LogLine> sink) {
        return engine.logs(id, tail, follow, sink);
    }

    @Override
    public Optional<ContainerSecurity> inspectSecurity(String idOrName) {
        return engine.inspectSecurity(idOrName);
    }

    @Override
    public ExecResult exec(String id, List<String> argv, Duration timeout) {
        return engine.exec(id, argv, timeout);
    }

    @Override
    public Closeable watch(ChangeWatcher watcher) {
        return engine.watch(watcher);
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException ignored) {
            // closing the engine ends the stream anyway
        }
        engine.close();
    }
}
