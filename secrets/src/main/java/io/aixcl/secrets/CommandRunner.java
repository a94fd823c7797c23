package io.aixcl.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program with an argument list: never a shell, never a secret among the arguments. */
@FunctionalInterface
public interface CommandRunner {

    record Result(int exitCode, String output) {}

    Result run(List<String> argv) throws IOException;

    /** The real one: a child process, stdin closed, stdout and stderr together, at most 30 seconds. */
    CommandRunner PROCESSES = argv -> {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not finish within 30 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + String.join(" ", argv), e);
        }
    };
}
