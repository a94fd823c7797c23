package io.aixcl.models;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Verified blobs named by their sha256. A blob file appears only by an atomic rename of bytes that were already
 * hashed, so a reader never sees a partial or unverified blob under a digest name.
 */
final class BlobStore {
    private final StoreLayout layout;

    BlobStore(StoreLayout layout) {
        this.layout = layout;
    }

    Path path(Digest digest) {
        return layout.blob(digest);
    }

    boolean contains(Digest digest, long size) {
        try {
            // One stat: asked for every blob of the model at every request (LocalModelStore.servedFile).
            BasicFileAttributes a = Files.readAttributes(path(digest), BasicFileAttributes.class);
            return a.isRegularFile() && (size < 0 || a.size() == size);
        } catch (IOException e) {
            return false;
        }
    }

    Optional<Long> size(Digest digest) {
        try {
            return Optional.of(Files.size(path(digest)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Moves verified bytes into place under their digest; an existing copy (same bytes) is replaced. */
    void publish(Path verified, Digest digest) {
        Path target = path(digest);
        try {
            try (FileChannel ch = FileChannel.open(verified, StandardOpenOption.WRITE)) {
                ch.force(true); // the bytes are durable before the name says they are there
            }
            try {
                Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IllegalStateException("the store's filesystem cannot rename atomically: " + layout.root(), e);
            }
            touch(digest);
            Fsync.directory(layout.blobs());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Hashes {@code bytes} and stores them (small blobs: configs). */
    Digest put(byte[] bytes) {
        Digest digest = Digest.ofBytes(Hashing.sha256().digest(bytes));
        if (contains(digest, bytes.length)) {
            touch(digest);
            return digest;
        }
        Path tmp = temp("put");
        try {
            Files.write(tmp, bytes);
            publish(tmp, digest);
            return digest;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob: " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Copies a local file in, hashing as it goes; fails (nothing stored) when {@code expected} does not match. */
    Digest importFile(Path source, Optional<Digest> expected, long maxBytes) {
        Path tmp = temp("import");
        try {
            Digest actual = copyHashing(source, tmp, maxBytes);
            if (expected.isPresent() && !expected.get().equals(actual)) {
                throw new AixclException.Failed("digest mismatch for " + source + ": expected " + expected.get()
                        + ", got " + actual + "; nothing was stored", null);
            }
            publish(tmp, actual);
            return actual;
        } catch (NoSuchFileException e) {
            throw new AixclException.NotFound("model file " + source + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import " + source + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static Digest copyHashing(Path source, Path target, long maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(source);
             var out = Files.newOutputStream(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            MessageDigest md = Hashing.sha256();
            byte[] buf = new byte[1 << 20];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new AixclException.InvalidInput("model file " + source + " is larger than the limit of " + maxBytes + " bytes");
                }
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
            return Digest.ofBytes(md.digest());
        }
    }

    /** Marks a blob as recently used, so gc's grace period protects it while a pull publishes. */
    void touch(Digest digest) {
        try {
            Files.setLastModifiedTime(path(digest), FileTime.from(Instant.now()));
        } catch (IOException ignored) {
            // a vanished blob is found missing at publish time, under the store lock
        }
    }

    List<Digest> list() {
        List<Digest> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(layout.blobs())) {
            s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("sha256-") && n.length() == 71)
                    .forEach(n -> {
                        try {
                            out.add(Digest.parse(n));
                        } catch (AixclException.InvalidInput ignored) {
                            // not one of ours
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list blobs: " + e.getMessage(), e);
        }
        return out;
    }

    Instant modified(Digest digest) {
        try {
            return Files.getLastModifiedTime(path(digest)).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    boolean delete(Digest digest) {
        try {
            return Files.deleteIfExists(path(digest));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete blob " + digest + ": " + e.getMessage(), e);
        }
    }

    private Path temp(String what) {
        try {
            return Files.createTempFile(layout.partials(), "." + what + "-", ".tmp");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a file in " + layout.partials() + ": " + e.getMessage(), e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: gc removes leftovers
        }
    }
}
