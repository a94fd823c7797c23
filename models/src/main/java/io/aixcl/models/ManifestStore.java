package io.aixcl.models;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.ModelName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Published manifests, one file per model; written by temp file + atomic rename, so a reader sees all or nothing. */
final class ManifestStore {
    private static final long MAX_MANIFEST_FILE = 1 << 20;

    private final StoreLayout layout;
    private final ManifestCodec codec;

    ManifestStore(StoreLayout layout, ManifestCodec codec) {
        this.layout = layout;
        this.codec = codec;
    }

    record Stored(ModelName name, Manifest manifest, Instant modified) {}

    Optional<Stored> read(ModelName name) {
        Path p = layout.manifest(name);
        try {
            if (Files.size(p) > MAX_MANIFEST_FILE) {
                throw new AixclException.Failed("the manifest of " + name + " is larger than " + MAX_MANIFEST_FILE + " bytes", null);
            }
            byte[] bytes = Files.readAllBytes(p);
            Instant modified = Files.getLastModifiedTime(p).toInstant();
            return Optional.of(new Stored(name, codec.parse(bytes, name.toString()), modified));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + name + ": " + e.getMessage(), e);
        }
    }

    /** Every readable manifest; one that does not parse is skipped here (and reported by {@code show}). */
    List<Stored> list() {
        List<Stored> out = new ArrayList<>();
        for (ModelName name : names()) {
            try {
                read(name).ifPresent(out::add);
            } catch (RuntimeException ignored) {
                // a corrupt manifest must not hide the others
            }
        }
        out.sort(Comparator.comparing(s -> s.name().toString()));
        return out;
    }

    List<ModelName> names() {
        Path root = layout.manifests();
        List<ModelName> out = new ArrayList<>();
        try (Stream<Path> files = Files.find(root, 4, (p, a) -> a.isRegularFile() && root.relativize(p).getNameCount() == 4)) {
            files.forEach(p -> {
                Path rel = root.relativize(p);
                try {
                    out.add(new ModelName(rel.getName(0).toString(), rel.getName(1).toString(), rel.getName(2).toString(), rel.getName(3).toString()));
                } catch (AixclException.InvalidInput ignored) {
                    // temp files (leading '.') and strays are not models
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list manifests: " + e.getMessage(), e);
        }
        return out;
    }

    void write(ModelName name, Manifest manifest) {
        Path target = layout.manifest(name);
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + name.tag() + "-", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(codec.write(manifest)));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Fsync.directory(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the manifest of " + name + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                BlobStore.deleteQuietly(tmp);
            }
        }
    }

    boolean delete(ModelName name) {
        Path p = layout.manifest(name);
        try {
            boolean deleted = Files.deleteIfExists(p);
            // Prune empty folders up to manifests/, so list and the layout stay tidy.
            for (Path dir = p.getParent(); dir != null && !dir.equals(layout.manifests()); dir = dir.getParent()) {
                try {
                    Files.deleteIfExists(dir);
                } catch (DirectoryNotEmptyException e) {
                    break;
                }
            }
            return deleted;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the manifest of " + name + ": " + e.getMessage(), e);
        }
    }
}
