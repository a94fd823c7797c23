package io.aixcl.core.models;

/** A published model: its name, total size, bytes actually downloaded this time (0 when all blobs were present). */
public record PullResult(ModelName name, long sizeBytes, long downloadedBytes) {}
