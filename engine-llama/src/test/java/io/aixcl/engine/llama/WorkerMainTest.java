package io.aixcl.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.engine.llama.protocol.Frame;
import io.aixcl.engine.llama.protocol.FrameChannel;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The worker on its own, driven through its socket as the engine drives it: it never outlives its parent. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerMainTest {

    @TempDir
    Path dir;

    private Process startWorker(Path socket, long parentPid) throws Exception {
        var command = new WorkerCommand(EmbeddedEngineConfig.defaults(dir));
        return new ProcessBuilder(command.argv(socket, dir, parentPid)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("worker.log").toFile()).start();
    }

    @Test
    void theWorkerIntroducesItselfAndExitsWhenTheParentClosesTheConnection() throws Exception {
        Path socket = dir.resolve("w.sock");
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Process worker = startWorker(socket, ProcessHandle.current().pid());
            try (var frames = new FrameChannel(server.accept())) {
                assertThat(frames.read()).isEqualTo(new Frame.Hello(worker.pid()));
            }

            assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(worker.exitValue()).isZero();
        }
    }

    @Test
    void theWorkerExitsOnItsOwnWhenItsParentIsGone() throws Exception {
        Path socket = dir.resolve("w.sock");
        try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            // Told its parent is a process that is not its parent: what it sees once the daemon died and it
            // was reparented, whatever became of the connection.
            Process worker = startWorker(socket, Long.MAX_VALUE);

            assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(worker.exitValue()).isEqualTo(3);
        }
    }
}
