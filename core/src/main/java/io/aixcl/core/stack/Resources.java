package io.aixcl.core.stack;

/** Limits of one service; 0 means "no limit" for each. */
public record Resources(double cpus, long memoryBytes, long pids) {
    public static final Resources UNLIMITED = new Resources(0, 0, 0);

    public Resources {
        if (cpus < 0 || memoryBytes < 0 || pids < 0) {
            throw new IllegalArgumentException("resource limits cannot be negative");
        }
    }

    public Resources overriddenBy(Resources o) {
        return new Resources(o.cpus > 0 ? o.cpus : cpus, o.memoryBytes > 0 ? o.memoryBytes : memoryBytes,
                o.pids > 0 ? o.pids : pids);
    }
}
