package io.aixcl.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WorkerCommandTest {

    @Test
    void theWorkerRunsOnTheDaemonsJavaWithNativeAccessASmallHeapAndAPrivateNativeFolder() {
        var config = EmbeddedEngineConfig.defaults(Path.of("/run/aixcl/engine-llama"));

        var argv = new WorkerCommand(config).argv(Path.of("/run/aixcl/engine-llama/worker-1.sock"),
                Path.of("/run/aixcl/engine-llama/native"), 42);

        assertThat(argv.getFirst()).isEqualTo(ProcessHandle.current().info().command().orElseThrow());
        assertThat(argv).contains("--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                "-Dde.kherud.llama.tmpdir=/run/aixcl/engine-llama/native",
                "io.aixcl.engine.llama.worker.WorkerMain");
        assertThat(argv).containsSubsequence("--socket", "/run/aixcl/engine-llama/worker-1.sock", "--parent-pid", "42",
                "--stream-interval-micros", "4000");
        assertThat(argv).noneMatch(arg -> arg.equals("sh") || arg.equals("-c"));
        // Exactly this module and llama.cpp's jar: the worker gets nothing of the daemon.
        assertThat(config.workerClasspath()).hasSize(2);
        assertThat(config.workerClasspath().get(1).getFileName().toString()).isEqualTo("llama-4.1.0.jar");
    }
}
