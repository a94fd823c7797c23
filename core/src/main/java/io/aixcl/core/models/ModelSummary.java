package io.aixcl.core.models;

import java.time.Instant;

/** One line of {@code models list}: size is the sum of the model's blobs. */
public record ModelSummary(ModelName name, long sizeBytes, Instant modifiedAt, Digest modelDigest) {}
