package io.aixcl.models;

/** Parameter counts the way model cards write them: 494M, 7.6B. */
final class ParameterCounts {
    private ParameterCounts() {}

    static String label(long n) {
        if (n >= 1_000_000_000L) {
            return trim(n / 1e9) + "B";
        }
        if (n >= 1_000_000L) {
            return trim(n / 1e6) + "M";
        }
        if (n >= 1_000L) {
            return trim(n / 1e3) + "K";
        }
        return Long.toString(n);
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
