package io.aixcl.engine.llama.worker;

import io.aixcl.engine.llama.protocol.Frame;
import io.aixcl.engine.llama.protocol.FrameChannel;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The engine's child process: connects to the parent's socket, serves frames with llama.cpp, and exits when the
 * parent says so, when the connection drops, or when the parent process disappears.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp ... io.aixcl.engine.llama.worker.WorkerMain
 *      --socket PATH --parent-pid PID [--stream-interval-micros N]</pre>
 */
public final class WorkerMain {

    static final int EXIT_BAD_ARGUMENTS = 2;
    static final int EXIT_PARENT_GONE = 3;
    static final int EXIT_PROTOCOL_ERROR = 4;

    private WorkerMain() {
    }

    public static void main(String[] args) {
        Path socket = null;
        long parentPid = -1;
        long streamIntervalMicros = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--socket" -> socket = Path.of(args[i + 1]);
                case "--parent-pid" -> parentPid = Long.parseLong(args[i + 1]);
                case "--stream-interval-micros" -> streamIntervalMicros = Long.parseLong(args[i + 1]);
                default -> {
                    System.err.println("worker: unknown argument " + args[i]);
                    System.exit(EXIT_BAD_ARGUMENTS);
                }
            }
        }
        if (socket == null || parentPid < 0 || streamIntervalMicros < 0) {
            System.err.println("worker: usage: WorkerMain --socket PATH --parent-pid PID [--stream-interval-micros N]");
            System.exit(EXIT_BAD_ARGUMENTS);
        }
        ParentWatch.start(parentPid, EXIT_PARENT_GONE);
        // The library leaves a non-daemon native thread behind: every way out ends in System.exit.
        System.exit(serve(socket, streamIntervalMicros * 1_000));
    }

    private static int serve(Path socket, long streamIntervalNanos) {
        FrameChannel frames;
        try {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            frames = new FrameChannel(channel);
        } catch (IOException e) {
            System.err.println("worker: cannot connect to " + socket + ": " + e.getMessage());
            return EXIT_PROTOCOL_ERROR;
        }
        var runtime = new LlamaRuntime(frames, streamIntervalNanos);
        try {
            frames.write(new Frame.Hello(ProcessHandle.current().pid()));
            while (true) {
                switch (frames.read()) {
                    case Frame.Load f -> runtime.load(f);
                    case Frame.Unload f -> runtime.unload(f);
                    case Frame.Generate f -> runtime.generate(f);
                    case Frame.Cancel f -> runtime.cancel(f.call());
                    case Frame.Shutdown f -> {
                        runtime.close();
                        return 0;
                    }
                    case Frame.ToParent f -> {
                        System.err.println("worker: unexpected frame " + f);
                        runtime.close();
                        return EXIT_PROTOCOL_ERROR;
                    }
                }
            }
        } catch (EOFException e) {
            // The parent closed the connection (or died): nobody is left to serve.
            runtime.close();
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("worker: " + e);
            runtime.close();
            return EXIT_PROTOCOL_ERROR;
        }
    }
}
