package io.aixcl.cli.render;

import io.aixcl.api.Dtos;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints a stack operation's events as they arrive. On a terminal, image pulls share one updating line (layers
 * done, bytes, rate); elsewhere (CI logs, pipes) every line is final.
 */
public final class ProgressPrinter {
    private final PrintStream out;
    private final boolean tty;
    private final Map<String, long[]> layers = new LinkedHashMap<>();
    private final Set<String> announced = new HashSet<>();
    private long pullStart;
    private boolean progressLineOpen;

    public ProgressPrinter(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    public void accept(Dtos.Event e) {
        switch (e.type()) {
            case "plan" -> plan(e);
            case "pull" -> pull(e);
            case "pulled" -> line("  pulled     " + e.image() + " (" + Format.seconds(e.seconds()) + ")");
            case "step" -> line("  " + pad(e.step(), 10) + " " + e.service()
                    + (e.detail() == null || e.detail().isBlank() ? "" : " (" + e.detail() + ")"));
            case "note" -> line("  " + e.detail());
            case "healthy" -> line("  healthy    " + e.service() + " (" + Format.seconds(e.seconds()) + ")");
            case "unhealthy" -> {
                line("  FAILED     " + e.service() + ": " + e.detail());
                List<String> lines = e.lines() == null ? List.of() : e.lines();
                if (!lines.isEmpty()) {
                    line("  last log lines of " + e.service() + ":");
                    lines.forEach(l -> line("    | " + l));
                }
            }
            case "orphan" -> line("  orphan     " + e.detail() + " (service '" + e.service() + "' is no longer declared; "
                    + ("removed".equals(e.step()) ? "removed)" : "use --remove-orphans to remove it)"));
            default -> { }
        }
    }

    @SuppressWarnings("unchecked")
    private void plan(Dtos.Event e) {
        Object actions = e.result() == null ? null : e.result().get("actions");
        if (actions instanceof List<?> list) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (Object a : list) {
                String kind = String.valueOf(((Map<String, Object>) a).get("action"));
                counts.merge(kind, 1, Integer::sum);
            }
            StringBuilder b = new StringBuilder("plan: ");
            counts.forEach((k, v) -> b.append(v).append(' ').append(k).append(", "));
            line(b.substring(0, b.length() - 2));
        }
    }

    private void pull(Dtos.Event e) {
        if (pullStart == 0) {
            pullStart = System.nanoTime();
        }
        // Each image (or blob) once; a model pull's running total comes without one.
        if (e.image() != null && announced.add(e.image())) {
            line("  pulling    " + e.image());
        }
        if (e.layer() != null) {
            layers.put(e.image() + "/" + e.layer(), new long[] {e.current(), e.total(),
                    e.step() != null && (e.step().contains("complete") || e.step().contains("exists")) ? 1 : 0});
        }
        if (!tty) {
            return;
        }
        long cur = 0;
        long tot = 0;
        int done = 0;
        for (long[] l : layers.values()) {
            cur += l[0];
            tot += l[1];
            done += (int) l[2];
        }
        double secs = Math.max(0.001, (System.nanoTime() - pullStart) / 1e9);
        String text = String.format("  pulling    %d/%d layers  %s / %s  %s/s", done, layers.size(), Format.bytes(cur),
                tot > 0 ? Format.bytes(tot) : "?", Format.bytes((long) (cur / secs)));
        out.print("\r" + text + "\u001b[K");
        out.flush();
        progressLineOpen = true;
    }

    private void line(String s) {
        if (progressLineOpen) {
            out.print("\r\u001b[K");
            progressLineOpen = false;
        }
        out.println(s);
        out.flush();
    }

    private static String pad(String s, int n) {
        return s.length() >= n ? s : s + " ".repeat(n - s.length());
    }
}
