package io.aixcl.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the log lives and how it checkpoints.
 *
 * @param dataDir          the log's folder: segments, its signing key, its latest checkpoint
 *                         (the daemon passes {@code $XDG_DATA_HOME/aixcl/audit})
 * @param witnessDir       a folder outside {@code dataDir} that keeps the trusted public key and the latest checkpoint
 *                         (the daemon passes {@code $XDG_CONFIG_HOME/aixcl/audit-witness})
 * @param origin           the log's name in checkpoints and of its key; used when the log is created
 * @param override         open even if the log does not match its witnessed checkpoint; recorded as
 *                         {@code audit.override} and the witness re-anchored to the log as it is
 * @param deferredWindow   how long an entry nothing waits on ({@link AuditStore#appendDeferred}) may wait for others
 *                         to share its fsync; zero commits it at once, like any other
 */
public record AuditStoreConfig(Path dataDir, Path witnessDir, String origin, long checkpointEveryEntries,
                               Duration checkpointInterval, long segmentBytes, boolean override,
                               Duration deferredWindow) {

    public static final String DEFAULT_ORIGIN = "aixcl.local/audit";
    /**
     * A request's entry reaches the disk at most this long after the answer: ~100 fsyncs a second however busy the
     * gateway, instead of one per fsync's duration (thousands a second, ~15% of a proxied request's CPU).
     */
    public static final Duration DEFAULT_DEFERRED_WINDOW = Duration.ofMillis(10);
    static final Duration MAX_DEFERRED_WINDOW = Duration.ofSeconds(1);

    public AuditStoreConfig {
        Objects.requireNonNull(dataDir, "dataDir is null");
        Objects.requireNonNull(witnessDir, "witnessDir is null");
        NoteVerifier.validateName(origin);
        if (checkpointEveryEntries < 1 || segmentBytes < 1) {
            throw new IllegalArgumentException("checkpointEveryEntries and segmentBytes are positive");
        }
        Objects.requireNonNull(checkpointInterval, "checkpointInterval is null");
        Objects.requireNonNull(deferredWindow, "deferredWindow is null");
        if (deferredWindow.isNegative() || deferredWindow.compareTo(MAX_DEFERRED_WINDOW) > 0) {
            throw new IllegalArgumentException("deferredWindow is between 0 and " + MAX_DEFERRED_WINDOW);
        }
        if (dataDir.toAbsolutePath().normalize().equals(witnessDir.toAbsolutePath().normalize())) {
            // A witness inside the data folder shares the data folder's fate and proves nothing.
            throw new IllegalArgumentException("the witness folder must not be the data folder");
        }
    }

    /** Checkpoints every 1,000 entries or 10 seconds; 64 MiB segments; deferred entries wait up to 10 ms. */
    public static AuditStoreConfig of(Path dataDir, Path witnessDir) {
        return new AuditStoreConfig(dataDir, witnessDir, DEFAULT_ORIGIN, 1000, Duration.ofSeconds(10), 64L << 20,
                false, DEFAULT_DEFERRED_WINDOW);
    }

    public AuditStoreConfig withOrigin(String origin) {
        return new AuditStoreConfig(dataDir, witnessDir, origin, checkpointEveryEntries, checkpointInterval,
                segmentBytes, override, deferredWindow);
    }

    public AuditStoreConfig withCheckpoints(long everyEntries, Duration interval) {
        return new AuditStoreConfig(dataDir, witnessDir, origin, everyEntries, interval, segmentBytes, override,
                deferredWindow);
    }

    public AuditStoreConfig withSegmentBytes(long bytes) {
        return new AuditStoreConfig(dataDir, witnessDir, origin, checkpointEveryEntries, checkpointInterval, bytes,
                override, deferredWindow);
    }

    public AuditStoreConfig withDeferredWindow(Duration window) {
        return new AuditStoreConfig(dataDir, witnessDir, origin, checkpointEveryEntries, checkpointInterval,
                segmentBytes, override, window);
    }

    public AuditStoreConfig withOverride(boolean override) {
        return new AuditStoreConfig(dataDir, witnessDir, origin, checkpointEveryEntries, checkpointInterval,
                segmentBytes, override, deferredWindow);
    }
}
