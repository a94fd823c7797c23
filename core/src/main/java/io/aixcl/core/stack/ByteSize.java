package io.aixcl.core.stack;

import java.util.Locale;
import java.util.regex.Pattern;

/** Parses and prints memory sizes the way Compose files write them: 512m, 2g, 1.5GiB, 1048576. */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b?)", Pattern.CASE_INSENSITIVE);

    private ByteSize() {}

    /** Bytes in {@code text}, or -1 when it is not a size. */
    public static long parse(String text) {
        if (text == null) {
            return -1;
        }
        var m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        double number = Double.parseDouble(m.group(1));
        int power = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> 0;
            case "k" -> 1;
            case "m" -> 2;
            case "g" -> 3;
            default -> 4;
        };
        if (power == 0 && !m.group(3).isEmpty() && !m.group(3).equalsIgnoreCase("b")) {
            return -1;
        }
        double bytes = number * Math.pow(1024, power);
        return bytes > Long.MAX_VALUE ? -1 : (long) bytes;
    }

    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
