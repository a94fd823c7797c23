package io.aixcl.cli.render;

import java.util.Locale;

public final class Format {
    private Format() {}

    public static String duration(Long seconds) {
        if (seconds == null) {
            return "-";
        }
        long s = seconds;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        if (s < 86400) {
            return (s / 3600) + "h" + ((s % 3600) / 60) + "m";
        }
        return (s / 86400) + "d" + ((s % 86400) / 3600) + "h";
    }

    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return tenths(v) + " " + units[i];
    }

    public static String seconds(Double s) {
        return s == null ? "" : tenths(s) + "s";
    }

    /**
     * {@code String.format(Locale.ROOT, "%.1f", v)} without java.util.Formatter, whose first use (locale data,
     * decimal symbols) was ~14 ms of a {@code stack start} CLI's CPU.
     */
    public static String tenths(double v) {
        if (!Double.isFinite(v)) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        long t = Math.round(Math.abs(v) * 10);
        return (Double.doubleToRawLongBits(v) < 0 ? "-" : "") + t / 10 + "." + t % 10; // "-0.0" as %.1f
    }
}
