package io.aixcl.models;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Makes a rename durable: on Linux the directory entry is only on disk once the directory is fsynced. */
final class Fsync {
    private Fsync() {}

    static void directory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some filesystems refuse to fsync a directory; the rename itself is still atomic
        }
    }
}
