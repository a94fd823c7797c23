package io.aixcl.core.secrets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one redaction mechanism for text that leaves the daemon (API responses and errors, streamed container logs,
 * the daemon's log, audit parameters). Two rules: a parameter whose name says it holds a secret is replaced whatever
 * its value, and every known secret value is replaced wherever it appears, also in its JSON-escaped form.
 *
 * <p>The store teaches it each value it generates or reads ({@link #learn}); old values are kept after a rotation,
 * because they may still sit in a container's log. Thread-safe: reads see an immutable snapshot.
 */
public final class Redactor {
    public static final String MARK = "[REDACTED]";
    /** Shorter values would scrub ordinary words; generated secrets are never this short. */
    static final int MIN_LENGTH = 8;
    private static final Set<String> SECRET_WORDS = Set.of("password", "passwd", "pass", "passphrase", "pwd",
            "secret", "secrets", "token", "tokens", "credential", "credentials", "key", "keys", "apikey", "privatekey",
            "cookie", "authorization", "auth", "bearer", "session");
    /** {@code POSTGRES_PASSWORD_FILE} names where a secret is, not the secret: its value is a path. */
    private static final Set<String> LOCATION_WORDS = Set.of("file", "path", "name", "names");

    /**
     * The gateway's API keys ({@code aixk_} + base62) are kept only as hashes, so their values cannot be learned
     * after the run that made them: they are scrubbed by shape instead, whoever's they are.
     */
    static final String ISSUED_KEY_PREFIX = "aixk_";
    private static final Pattern ISSUED_KEY = Pattern.compile("aixk_[0-9A-Za-z]{32,}");

    private record Needles(char[][] byLengthDescending, BitSet firstChars) {}

    private volatile Needles needles = new Needles(new char[0][], new BitSet());

    /** Remembers {@code value} (copied; the caller may wipe its array) so that it is scrubbed from now on. */
    public synchronized void learn(char[] value) {
        if (value == null || value.length < MIN_LENGTH) {
            return;
        }
        List<char[]> all = new ArrayList<>(Arrays.asList(needles.byLengthDescending()));
        add(all, value.clone());
        char[] escaped = jsonEscaped(value);
        if (escaped != null) {
            add(all, escaped);
        }
        // Longest first: a pgpass line that contains a password is replaced whole, not around the password.
        all.sort(Comparator.comparingInt((char[] c) -> c.length).reversed());
        BitSet first = new BitSet();
        all.forEach(c -> first.set(c[0]));
        needles = new Needles(all.toArray(char[][]::new), first);
    }

    private static void add(List<char[]> all, char[] candidate) {
        for (char[] c : all) {
            if (Arrays.equals(c, candidate)) {
                Arrays.fill(candidate, '\0');
                return;
            }
        }
        all.add(candidate);
    }

    /**
     * {@code text} with every known secret value, and every API key by its shape, replaced by {@link #MARK}; the
     * same instance when none occurs.
     */
    public String scrub(String text) {
        String known = scrubKnown(text);
        if (known == null || !known.contains(ISSUED_KEY_PREFIX)) {
            return known;
        }
        return ISSUED_KEY.matcher(known).replaceAll(MARK);
    }

    private String scrubKnown(String text) {
        Needles n = needles;
        if (text == null || n.byLengthDescending().length == 0) {
            return text;
        }
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < text.length()) {
            int matched = n.firstChars().get(text.charAt(i)) ? matchAt(text, i, n.byLengthDescending()) : 0;
            if (matched > 0) {
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, copied, i).append(MARK);
                i += matched;
                copied = i;
            } else {
                i++;
            }
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    private static int matchAt(String text, int at, char[][] candidates) {
        for (char[] c : candidates) {
            if (c.length <= text.length() - at && regionEquals(text, at, c)) {
                return c.length;
            }
        }
        return 0;
    }

    private static boolean regionEquals(String text, int at, char[] c) {
        for (int j = 0; j < c.length; j++) {
            if (text.charAt(at + j) != c[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parameters fit for a log or an audit entry: values under a secret-sounding name become {@link #MARK}, known
     * values are scrubbed from every string, maps and lists are followed. Numbers and booleans pass unchanged.
     */
    public Map<String, Object> parameters(Map<String, ?> parameters) {
        Map<String, Object> out = new LinkedHashMap<>();
        parameters.forEach((k, v) -> out.put(k, isSecretName(k) && v != null ? MARK : value(v)));
        return out;
    }

    private Object value(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> scrub(s);
            case char[] ignored -> MARK;
            case Map<?, ?> m -> {
                Map<String, Object> copy = new LinkedHashMap<>();
                m.forEach((k, x) -> copy.put(String.valueOf(k), value(x)));
                yield parameters(copy);
            }
            case Collection<?> c -> c.stream().map(this::value).toList();
            case Number n -> n;
            case Boolean b -> b;
            default -> scrub(String.valueOf(v));
        };
    }

    /**
     * Whether a parameter or variable name says its value is a secret: one of its words (split at case changes and
     * punctuation: {@code dbPassword}, {@code API_KEY}, {@code x-auth-token}) is a secret word, and it does not end
     * in a word that makes it a location ({@code POSTGRES_PASSWORD_FILE}).
     */
    public static boolean isSecretName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        String snake = name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        String[] words = snake.split("[^a-z0-9]+");
        if (words.length == 0 || LOCATION_WORDS.contains(words[words.length - 1])) {
            return false;
        }
        for (String w : words) {
            if (SECRET_WORDS.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** The value as a JSON string body shows it, or null when escaping changes nothing. */
    private static char[] jsonEscaped(char[] value) {
        StringBuilder b = new StringBuilder(value.length + 8);
        boolean changed = false;
        for (char c : value) {
            switch (c) {
                case '"' -> { b.append("\\\""); changed = true; }
                case '\\' -> { b.append("\\\\"); changed = true; }
                case '\n' -> { b.append("\\n"); changed = true; }
                case '\r' -> { b.append("\\r"); changed = true; }
                case '\t' -> { b.append("\\t"); changed = true; }
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04X", (int) c));
                        changed = true;
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (!changed) {
            return null;
        }
        char[] out = new char[b.length()];
        b.getChars(0, b.length(), out, 0);
        b.setLength(0);
        return out;
    }
}
