package io.aixcl.core.models;

import java.time.Duration;
import java.util.Optional;

/** What a pull reports as it goes: the CLI draws its progress bar from these, the API streams them. */
public sealed interface PullEvent {

    /** The plan is known: how many blobs, how many bytes in all, how many are already here. */
    record Resolved(ModelName name, int blobs, long totalBytes, long presentBytes) implements PullEvent {}

    /** A blob's download starts, possibly resumed from {@code resumedFrom} bytes already on disk. */
    record BlobStarted(Digest digest, long size, long resumedFrom) implements PullEvent {}

    /**
     * Bytes of the whole pull so far. {@code totalBytes} is -1 while a size is unknown; {@code eta} is empty until
     * a rate is known.
     */
    record Progress(long completedBytes, long totalBytes, double bytesPerSecond, Optional<Duration> eta) implements PullEvent {}

    /** A connection failed or stalled and is retried after {@code delay}. */
    record Retrying(Digest digest, int attempt, Duration delay, String reason) implements PullEvent {}

    /** The blob's bytes hashed to the expected digest and it is in the store. */
    record BlobVerified(Digest digest, long size) implements PullEvent {}

    /** The manifest was written: the model is visible. */
    record Published(ModelName name, long sizeBytes) implements PullEvent {}
}
