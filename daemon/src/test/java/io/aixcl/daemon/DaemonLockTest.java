package io.aixcl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonLockTest {
    @TempDir
    Path dir;

    @Test
    void theLockFileHoldsTheOwnersPid() throws Exception {
        Path lockFile = dir.resolve("aixcld.lock");
        try (DaemonLock ignored = DaemonLock.acquire(lockFile, dir.resolve("aixcld.sock"))) {
            assertThat(Files.readString(lockFile)).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }

    @Test
    void aSecondAcquireWhileAnotherProcessHoldsTheLockIsAConflictNamingItsPid() throws Exception {
        Path lockFile = dir.resolve("aixcld.lock");
        Path socket = dir.resolve("aixcld.sock");
        // A lock is per process (a second tryLock in this JVM would throw instead): the holder is another JVM.
        Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), Holder.class.getName(), lockFile.toString(), socket.toString())
                .redirectErrorStream(true).start();
        try {
            var out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> DaemonLock.acquire(lockFile, socket))
                    .isInstanceOf(AixclException.Conflict.class)
                    .hasMessageContaining("already running")
                    .hasMessageContaining("pid " + holder.pid())
                    .hasMessageContaining(socket.toString());
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        try (DaemonLock mine = DaemonLock.acquire(lockFile, socket)) {
            assertThat(Files.readString(lockFile)).as("free again once the holder is gone")
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }

    /** Holds the lock until its stdin closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (DaemonLock ignored = DaemonLock.acquire(Path.of(args[0]), Path.of(args[1]))) {
                System.out.println("locked");
                System.out.flush();
                System.in.readAllBytes();
            }
        }
    }

    @Test
    void aLockFileLeftByADeadDaemonIsTakenOver() throws Exception {
        Path lockFile = dir.resolve("aixcld.lock");
        Files.writeString(lockFile, "999999999");
        try (DaemonLock ignored = DaemonLock.acquire(lockFile, dir.resolve("aixcld.sock"))) {
            assertThat(Files.readString(lockFile)).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }

    @Test
    void aReleasedLockCanBeAcquiredAgain() throws Exception {
        Path lockFile = dir.resolve("aixcld.lock");
        DaemonLock.acquire(lockFile, dir.resolve("aixcld.sock")).close();
        try (DaemonLock again = DaemonLock.acquire(lockFile, dir.resolve("aixcld.sock"))) {
            assertThat(again).isNotNull();
        }
    }
}
