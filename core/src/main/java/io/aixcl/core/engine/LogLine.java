package io.aixcl.core.engine;

import java.time.Instant;

public record LogLine(Stream stream, Instant time, String text) {
    public enum Stream { STDOUT, STDERR }
}
