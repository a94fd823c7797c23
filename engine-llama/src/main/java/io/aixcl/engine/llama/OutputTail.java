package io.aixcl.engine.llama;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;

/** The last lines a worker printed: the only account of a native crash, so it goes into the crash's error. */
final class OutputTail {

    private static final int MAX_LINES = 40;
    private static final int MAX_LINE_CHARS = 400;
    private static final int RECENT_LINES = 12;

    private final ArrayDeque<String> lines = new ArrayDeque<>();

    synchronized void add(String line) {
        if (lines.size() == MAX_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + "…" : line);
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * The line most likely to say what went wrong: among the last few lines (a crash is the last thing a process
     * prints; older lines belong to earlier, answered requests), the first that names an error, since the root
     * cause comes before the JVM's crash banner; else the last line.
     */
    synchronized String mostTelling() {
        List<String> recent = List.copyOf(lines).subList(Math.max(0, lines.size() - RECENT_LINES), lines.size());
        for (String line : recent) {
            if (line.isBlank() || line.startsWith("Extracted '")) {
                continue; // the library announcing where it unpacked its native code: never the reason
            }
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.contains("error") || lower.contains("assert") || lower.contains("fatal")
                    || lower.contains("exception") || lower.contains("failed")) {
                return line.strip();
            }
        }
        for (String line : recent.reversed()) {
            if (!line.isBlank() && !line.startsWith("Extracted '")) {
                return line.strip();
            }
        }
        return "";
    }
}
