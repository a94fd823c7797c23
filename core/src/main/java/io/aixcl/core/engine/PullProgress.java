package io.aixcl.core.engine;

/** One progress report of an image pull: a layer's state and bytes (0 when the engine does not say). */
public record PullProgress(String image, String layer, String status, long current, long total) {}
