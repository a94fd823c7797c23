package io.aixcl.secrets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Files replaced whole or not at all: written to a temporary file beside the target, flushed to disk, then renamed
 * over it, and the folder flushed so the rename itself survives a crash. A reader sees the old file or the new one,
 * never half of either.
 */
final class AtomicFiles {
    static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** Something to do to the finished temporary file before it takes the target's place (mode, owner). */
    @FunctionalInterface
    interface BeforeRename {
        BeforeRename NOTHING = temp -> { };

        void prepare(Path temp) throws IOException;
    }

    static void write(Path target, byte[] content) throws IOException {
        write(target, content, BeforeRename.NOTHING);
    }

    static void write(Path target, byte[] content, BeforeRename beforeRename) throws IOException {
        Path temp = createTemp(target);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            beforeRename.prepare(temp);
            rename(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A new empty file beside {@code target}, mode 0600 from the start (never briefly readable by others). */
    static Path createTemp(Path target) throws IOException {
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + HexFormat.of().formatHex(suffix));
        return Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
    }

    static void rename(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
        }
        syncDirectory(target.getParent());
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Creates {@code dir} (and parents) and makes it 0700, tightening a looser existing one. */
    static Path privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
        return dir;
    }
}
