package io.aixcl.core.engine;

public record ExecResult(int exitCode, String output) {
    public boolean ok() {
        return exitCode == 0;
    }
}
