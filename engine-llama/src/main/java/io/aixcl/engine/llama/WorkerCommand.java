package io.aixcl.engine.llama;

import io.aixcl.engine.llama.worker.WorkerMain;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The worker's argument list: never a shell, every value a separate argument. */
record WorkerCommand(EmbeddedEngineConfig config) {

    List<String> argv(Path socket, Path nativeDir, long parentPid) {
        List<String> argv = new ArrayList<>();
        argv.add(config.java().toString());
        argv.add("--enable-native-access=ALL-UNNAMED");
        argv.add("-Xmx" + config.workerHeapMegabytes() + "m");
        argv.add("-Xss1m");
        // A short-lived helper with a small heap: the serial collector and C1 start fastest and cost no
        // throughput here, where the time is spent in llama.cpp.
        argv.add("-XX:+UseSerialGC");
        argv.add("-XX:TieredStopAtLevel=1");
        argv.add("-XX:-UsePerfData");
        argv.add("-XX:+ExitOnOutOfMemoryError");
        // A native crash report lands beside the socket, not in whatever folder the daemon was started from.
        argv.add("-XX:ErrorFile=" + nativeDir.resolve("hs_err_pid%p.log"));
        // The library extracts its native code to a temp folder; a private one, because a shared /tmp file
        // could be swapped by another user or deleted by another process's cleanup.
        argv.add("-Dde.kherud.llama.tmpdir=" + nativeDir);
        argv.add("-Djava.io.tmpdir=" + nativeDir);
        argv.add("-cp");
        argv.add(config.workerClasspath().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        argv.add(WorkerMain.class.getName());
        argv.add("--socket");
        argv.add(socket.toString());
        argv.add("--parent-pid");
        argv.add(Long.toString(parentPid));
        argv.add("--stream-interval-micros");
        argv.add(Long.toString(config.streamInterval().toNanos() / 1_000));
        return List.copyOf(argv);
    }
}
