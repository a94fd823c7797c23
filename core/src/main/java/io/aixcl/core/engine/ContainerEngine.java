package io.aixcl.core.engine;

import io.aixcl.core.AixclException;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one port to a container engine. Adapters: the Docker-compatible Engine API (Podman, Docker), and a fake for
 * unit tests of planning logic; the same contract test runs against both.
 *
 * <p>Failures are {@link AixclException}s: {@code EngineUnavailable} when the engine cannot be reached,
 * {@code ImageUnavailable} when an image can be neither found nor pulled, {@code NotFound} for an unknown
 * container, {@code Failed} for anything else the engine refuses (its message included).
 */
public interface ContainerEngine extends AutoCloseable {

    EngineInfo info();

    boolean imageExists(String image);

    /** Pulls {@code image}, reporting progress as it goes; throws ImageUnavailable with the registry's error. */
    void pullImage(String image, Consumer<PullProgress> progress);

    /** Creates the named volume when it does not exist; an existing one is left as it is. */
    void ensureVolume(String name, Map<String, String> labels);

    List<VolumeInfo> listVolumes(Map<String, String> labelFilter);

    void removeVolume(String name);

    /** Creates (does not start) a container; returns its id. */
    String createContainer(ContainerSpec spec);

    void startContainer(String id);

    /** Stops gracefully, then kills after {@code timeout}. Stopping a stopped container is not an error. */
    void stopContainer(String id, Duration timeout);

    void removeContainer(String id);

    /** Every container, running or not, carrying all of {@code labelFilter}. */
    List<ContainerState> listContainers(Map<String, String> labelFilter);

    Optional<ContainerState> inspectContainer(String idOrName);

    /**
     * Streams a container's logs to {@code sink}. Without follow, returns when the logs are written; with follow,
     * returns at once and streams until the returned handle is closed or the container stops.
     */
    Closeable logs(String id, int tail, boolean follow, Consumer<LogLine> sink);

    /** How a container runs, for security checks; empty when it does not exist. */
    Optional<ContainerSecurity> inspectSecurity(String idOrName);

    /** Runs {@code argv} inside the container (no shell), waiting at most {@code timeout}. */
    ExecResult exec(String id, List<String> argv, Duration timeout);

    /**
     * Follows the engine's event stream: {@code watcher} hears when the stream is up, whenever a container or
     * volume may have changed, and when the stream is lost (the adapter reconnects by itself). Closing the handle
     * stops it. Lets the daemon cache what it read without ever serving a state the engine has moved past.
     */
    java.io.Closeable watch(ChangeWatcher watcher);

    interface ChangeWatcher {
        void connected();

        void changed();

        void disconnected();
    }

    @Override
    void close();
}
