package io.aixcl.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Segment files are named by the index of their first entry, zero-padded so names sort like numbers. */
final class Segments {

    private static final Pattern NAME = Pattern.compile("(\\d{20})\\.log");

    private Segments() {}

    static String fileName(long firstIndex) {
        return String.format("%020d.log", firstIndex);
    }

    /** Every segment in {@code dir} by first index; other files (keys, checkpoints) are not segments. */
    static NavigableMap<Long, Path> list(Path dir) throws IOException {
        NavigableMap<Long, Path> segments = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return segments;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)) {
                    segments.put(Long.parseLong(m.group(1)), p);
                }
            }
        }
        return segments;
    }
}
