package io.aixcl.models;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the store behaves. {@link #defaults} are the production values; tests shorten the timeouts and point the
 * base URLs at local servers. {@code env} is the environment proxies are read from ({@code HTTPS_PROXY},
 * {@code NO_PROXY}), injected so tests need not change the process's own.
 */
public record ModelStoreSettings(
        Path root,
        URI registryBaseUrl,
        URI huggingFaceBaseUrl,
        int connectionsPerBlob,
        long chunkBytes,
        Duration connectTimeout,
        Duration stallTimeout,
        RetryPolicy retry,
        long maxBlobBytes,
        long maxManifestBytes,
        long diskReserveBytes,
        Duration blobGracePeriod,
        Map<String, String> env,
        DiskSpace diskSpace,
        long oneConnectionSuffices) {

    public static final URI OLLAMA_REGISTRY = URI.create("https://registry.ollama.ai");
    public static final URI HUGGING_FACE = URI.create("https://huggingface.co");
    /**
     * A blob's download starts on one connection and opens the others only if that one delivers less than this
     * (256 MiB/s): faster than most links give one connection, slower than one gives on loopback or a fast LAN,
     * where the others would only add CPU (see {@code RangedDownload#rampUp}).
     */
    public static final long ONE_CONNECTION_SUFFICES = 256L << 20;

    public ModelStoreSettings {
        Objects.requireNonNull(root, "root is null");
        Objects.requireNonNull(registryBaseUrl, "registryBaseUrl is null");
        Objects.requireNonNull(huggingFaceBaseUrl, "huggingFaceBaseUrl is null");
        Objects.requireNonNull(retry, "retry is null");
        Objects.requireNonNull(diskSpace, "diskSpace is null");
        env = Map.copyOf(env);
        if (connectionsPerBlob < 1 || connectionsPerBlob > 32) {
            throw new IllegalArgumentException("connectionsPerBlob must be 1 to 32, got " + connectionsPerBlob);
        }
        if (oneConnectionSuffices < 0) {
            throw new IllegalArgumentException("oneConnectionSuffices must not be negative, got " + oneConnectionSuffices);
        }
        if (chunkBytes < 64 * 1024) {
            throw new IllegalArgumentException("chunkBytes must be at least 64 KiB, got " + chunkBytes);
        }
    }

    /** Production defaults for a store in {@code root} (the daemon passes {@code <data>/models}). */
    public static ModelStoreSettings defaults(Path root, Map<String, String> env) {
        return new ModelStoreSettings(root, OLLAMA_REGISTRY, HUGGING_FACE, 4, 64L << 20,
                Duration.ofSeconds(15), Duration.ofSeconds(30), RetryPolicy.DEFAULT,
                512L << 30, 1L << 20, 256L << 20, Duration.ofMinutes(15), env, DiskSpace.FILE_STORE, ONE_CONNECTION_SUFFICES);
    }

    public ModelStoreSettings withRegistry(URI url) {
        return new ModelStoreSettings(root, url, huggingFaceBaseUrl, connectionsPerBlob, chunkBytes, connectTimeout,
                stallTimeout, retry, maxBlobBytes, maxManifestBytes, diskReserveBytes, blobGracePeriod, env, diskSpace, oneConnectionSuffices);
    }

    public ModelStoreSettings withHuggingFace(URI url) {
        return new ModelStoreSettings(root, registryBaseUrl, url, connectionsPerBlob, chunkBytes, connectTimeout,
                stallTimeout, retry, maxBlobBytes, maxManifestBytes, diskReserveBytes, blobGracePeriod, env, diskSpace, oneConnectionSuffices);
    }

    public ModelStoreSettings withDownloads(int connections, long chunk, Duration stall, RetryPolicy retryPolicy) {
        return new ModelStoreSettings(root, registryBaseUrl, huggingFaceBaseUrl, connections, chunk, connectTimeout,
                stall, retryPolicy, maxBlobBytes, maxManifestBytes, diskReserveBytes, blobGracePeriod, env, diskSpace, oneConnectionSuffices);
    }

    public ModelStoreSettings withLimits(long maxBlob, long diskReserve, DiskSpace space) {
        return new ModelStoreSettings(root, registryBaseUrl, huggingFaceBaseUrl, connectionsPerBlob, chunkBytes, connectTimeout,
                stallTimeout, retry, maxBlob, maxManifestBytes, diskReserve, blobGracePeriod, env, space, oneConnectionSuffices);
    }

    /**
     * {@code bytesPerSecond}: a blob's first connection alone delivering at least this rate is left alone; below it
     * the others open ({@code Long.MAX_VALUE}: all from the start).
     */
    public ModelStoreSettings withOneConnectionSuffices(long bytesPerSecond) {
        return new ModelStoreSettings(root, registryBaseUrl, huggingFaceBaseUrl, connectionsPerBlob, chunkBytes, connectTimeout,
                stallTimeout, retry, maxBlobBytes, maxManifestBytes, diskReserveBytes, blobGracePeriod, env, diskSpace,
                bytesPerSecond);
    }

    public ModelStoreSettings withBlobGracePeriod(Duration grace) {
        return new ModelStoreSettings(root, registryBaseUrl, huggingFaceBaseUrl, connectionsPerBlob, chunkBytes, connectTimeout,
                stallTimeout, retry, maxBlobBytes, maxManifestBytes, diskReserveBytes, grace, env, diskSpace, oneConnectionSuffices);
    }

    public ModelStoreSettings withEnv(Map<String, String> newEnv) {
        return new ModelStoreSettings(root, registryBaseUrl, huggingFaceBaseUrl, connectionsPerBlob, chunkBytes, connectTimeout,
                stallTimeout, retry, maxBlobBytes, maxManifestBytes, diskReserveBytes, blobGracePeriod, newEnv, diskSpace, oneConnectionSuffices);
    }

    /** Usable bytes on the filesystem holding a folder; injectable so tests can simulate a full disk. */
    @FunctionalInterface
    public interface DiskSpace {
        long usableBytes(Path folder) throws java.io.IOException;

        DiskSpace FILE_STORE = folder -> java.nio.file.Files.getFileStore(folder).getUsableSpace();
    }
}
