package io.aixcl.core.models;

import java.time.Duration;

/**
 * {@code models gc}: partial downloads untouched for longer than {@code partialsOlderThan} are removed;
 * {@code dryRun} reports without deleting.
 */
public record GcOptions(Duration partialsOlderThan, boolean dryRun) {
    public static final GcOptions DEFAULT = new GcOptions(Duration.ofDays(1), false);
}
