package io.aixcl.core.stack;

/** {@code service} must reach {@code condition} before the dependent starts. */
public record Dependency(ServiceName service, Condition condition) {
    public enum Condition {
        STARTED, HEALTHY;

        public String wireName() {
            return this == STARTED ? "service_started" : "service_healthy";
        }
    }
}
