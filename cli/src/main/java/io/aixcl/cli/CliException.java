package io.aixcl.cli;

import io.aixcl.api.ApiError;
import java.util.List;

/** A failure to show the user: a message, optional detail lines, and the exit code it maps to. */
public final class CliException extends RuntimeException {
    private final int exitCode;
    private final List<String> details;

    public CliException(int exitCode, String message, List<String> details) {
        super(message);
        this.exitCode = exitCode;
        this.details = List.copyOf(details);
    }

    public CliException(int exitCode, String message) {
        this(exitCode, message, List.of());
    }

    public static CliException of(ApiError error) {
        return new CliException(ExitCodes.of(error.code()), error.message(), error.details());
    }

    public int exitCode() {
        return exitCode;
    }

    public List<String> details() {
        return details;
    }

    /** How every command reports it: one error line, then the details indented. */
    public void report(java.io.PrintStream err) {
        err.println("aixcl: error: " + getMessage());
        details.forEach(d -> err.println("  " + d));
    }
}
