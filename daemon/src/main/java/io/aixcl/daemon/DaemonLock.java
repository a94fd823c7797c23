package io.aixcl.daemon;

import io.aixcl.core.AixclException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per user: an exclusive lock on a file in the runtime folder, held for the daemon's life. The OS
 * releases it when the process dies, so a crash never leaves a stale lock behind.
 */
public final class DaemonLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DaemonLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static DaemonLock acquire(Path lockFile, Path socket) throws IOException {
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock l = ch.tryLock();
        if (l == null) {
            String pid = Files.readString(lockFile, StandardCharsets.UTF_8).strip();
            ch.close();
            throw new AixclException.Conflict("aixcld is already running for this user (pid "
                    + (pid.isEmpty() ? "unknown" : pid) + ", socket " + socket + "); stop it with 'aixcl daemon stop'");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(true);
        return new DaemonLock(ch, l);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
