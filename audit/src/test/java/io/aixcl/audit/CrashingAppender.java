package io.aixcl.audit;

import io.aixcl.core.audit.AuditLog.AuditReceipt;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child process of {@link AuditCrashTest}: opens the log, appends from several threads as fast as it can and
 * prints every acknowledged entry ({@code ack INDEX LEAFHASH}) until it is killed.
 */
public final class CrashingAppender {

    private CrashingAppender() {}

    public static void main(String[] args) throws Exception {
        AuditStore store = AuditStore.open(config(Path.of(args[0]), Path.of(args[1])));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        out.println("open " + store.size());
        out.flush();
        int threads = Integer.parseInt(args[2]);
        for (int t = 0; t < threads; t++) {
            long base = (ProcessHandle.current().pid() << 20) + t * 100_000L;
            Thread.ofPlatform().start(() -> {
                for (long n = base; ; n++) {
                    AuditReceipt r = store.append(Events.event(n));
                    synchronized (out) {
                        out.println("ack " + r.index() + " " + r.leafHash());
                        out.flush();
                    }
                }
            });
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    static AuditStoreConfig config(Path data, Path witness) {
        // Small segments and frequent checkpoints, so kills land in rolls and in checkpoint writes too.
        return AuditStoreConfig.of(data, witness).withSegmentBytes(64 * 1024)
                .withCheckpoints(200, Duration.ofMillis(50));
    }
}
