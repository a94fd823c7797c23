package io.aixcl.core.stack;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a running service must do itself when one of its secrets gets a new value, declared as the secret's
 * {@code on_rotate}: a program (an argument list, no shell) run inside the service's running container, after the new
 * file is there and before any consumer restarts. A database reads its password file only when it initialises its
 * data, so the role's password is changed by such a hook, not by a restart.
 *
 * <p>A hook must make the service accept the value in the file, whatever it accepted before: run again with the
 * previous file, it puts the previous value back. The daemon relies on that when a rotation is undone.
 */
public record RotationHook(List<String> exec, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    public RotationHook {
        exec = List.copyOf(exec);
        if (exec.isEmpty()) {
            throw new IllegalArgumentException("a rotation hook needs at least the program to run");
        }
        Objects.requireNonNull(timeout, "timeout is null");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("rotation hook timeout " + timeout + " is not in (0, "
                    + MAX_TIMEOUT.toMinutes() + "m]");
        }
    }

    /** The program's name, for messages and audit entries; its arguments are left out (they may be long). */
    public String program() {
        return exec.getFirst();
    }
}
