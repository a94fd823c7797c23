package io.aixcl.models;

import io.aixcl.core.AixclException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Exclusive locks on files, across processes (OS file locks) and across threads of this JVM (a semaphore per
 * path, since the JVM refuses overlapping file locks from one process). A lock file that gc deleted while a
 * waiter held it open is detected (it is no longer the file at its path) and the lock is taken again.
 */
final class FileLocks {
    private static final ConcurrentHashMap<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private FileLocks() {}

    /** A held lock; {@link #close} releases it. */
    static final class Held implements AutoCloseable {
        private final Path path;
        private final FileChannel channel;
        private final Semaphore local;
        private boolean released;

        private Held(Path path, FileChannel channel, Semaphore local) {
            this.path = path;
            this.channel = channel;
            this.local = local;
        }

        Path path() {
            return path;
        }

        @Override
        public synchronized void close() {
            if (released) {
                return;
            }
            released = true;
            try {
                channel.close(); // releases the OS lock
            } catch (IOException ignored) {
                // closing a lock file cannot lose data
            } finally {
                local.release();
            }
        }
    }

    /** Runs {@code action} holding the lock. */
    static <T> T withLock(Path lockFile, java.util.function.Supplier<T> action) {
        Held held = acquire(lockFile);
        try {
            return action.get();
        } finally {
            held.close();
        }
    }

    /** Blocks until the lock is held; interruptible ({@code Cancelled}). */
    static Held acquire(Path lockFile) {
        Path key = lockFile.toAbsolutePath().normalize();
        Semaphore local = IN_PROCESS.computeIfAbsent(key, k -> new Semaphore(1));
        try {
            local.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AixclException.Cancelled("interrupted while waiting for " + lockFile.getFileName());
        }
        boolean ok = false;
        try {
            Held held = lockFile(key, local);
            ok = true;
            return held;
        } finally {
            if (!ok) {
                local.release();
            }
        }
    }

    /** The lock if it is free now, else null. */
    static Held tryAcquire(Path lockFile) {
        Path key = lockFile.toAbsolutePath().normalize();
        Semaphore local = IN_PROCESS.computeIfAbsent(key, k -> new Semaphore(1));
        if (!local.tryAcquire()) {
            return null;
        }
        try {
            FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null || !sameFile(ch, key)) {
                ch.close();
                local.release();
                return null;
            }
            return new Held(key, ch, local);
        } catch (IOException e) {
            local.release();
            throw new UncheckedIOException("cannot lock " + key + ": " + e.getMessage(), e);
        }
    }

    private static Held lockFile(Path key, Semaphore local) {
        while (true) {
            FileChannel ch = null;
            try {
                ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = null;
                while (lock == null) {
                    lock = ch.tryLock();
                    if (lock == null) {
                        // Another process holds it; poll so the wait stays interruptible.
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                }
                if (sameFile(ch, key)) {
                    return new Held(key, ch, local);
                }
                ch.close(); // the file was deleted and recreated while we waited: lock the new one
            } catch (InterruptedException e) {
                closeQuietly(ch);
                Thread.currentThread().interrupt();
                throw new AixclException.Cancelled("interrupted while waiting for " + key.getFileName());
            } catch (IOException e) {
                closeQuietly(ch);
                throw new UncheckedIOException("cannot lock " + key + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Whether the locked channel is still the file at {@code path}. Java exposes no inode of an open channel, so the
     * holder writes a random token through its channel and reads it back through the path: a deleted-and-recreated
     * file cannot hold it.
     */
    private static boolean sameFile(FileChannel ch, Path path) throws IOException {
        byte[] token = new byte[16];
        RANDOM.nextBytes(token);
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap(token), 0);
        try {
            return java.util.Arrays.equals(Files.readAllBytes(path), token);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
