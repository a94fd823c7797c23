package io.aixcl.core.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a secret's value is made. Declared in the stack file's {@code secrets:} section; a secret nobody declares
 * gets {@link #DEFAULT}. There is no policy that yields a fixed value: every value is random or derived from random
 * values, so no default password can exist.
 */
public sealed interface SecretPolicy {

    /** Long enough for any password field, short enough for every service that takes one. */
    RandomPassword DEFAULT = new RandomPassword(32);

    /** The secrets this one's value is made from; empty for a random one. */
    default List<String> sources() {
        return List.of();
    }

    /** What it is, in words, for {@code secrets list}. */
    String describe();

    /** {@code length} random characters from the URL-safe alphabet (A-Z a-z 0-9 - _): safe in URLs, files, YAML. */
    record RandomPassword(int length) implements SecretPolicy {
        public static final int MIN = 16;
        public static final int MAX = 4096;

        public RandomPassword {
            if (length < MIN || length > MAX) {
                throw new IllegalArgumentException("password length " + length + " is not in " + MIN + ".." + MAX);
            }
        }

        @Override
        public String describe() {
            return "random, " + length + " characters";
        }
    }

    /** {@code bytes} random bytes written as lowercase hex digits (twice as many characters): keys that want hex. */
    record HexKey(int bytes) implements SecretPolicy {
        public static final int MIN = 16;
        public static final int MAX = 1024;

        public HexKey {
            if (bytes < MIN || bytes > MAX) {
                throw new IllegalArgumentException("hex key of " + bytes + " bytes is not in " + MIN + ".." + MAX);
            }
        }

        @Override
        public String describe() {
            return "random, " + bytes + " bytes as hex";
        }
    }

    /**
     * Text with {@code ${other-secret}} placeholders, for files a program wants in its own format (a pgpass line).
     * Regenerated whenever a source changes. A template must name at least one source: literal text alone would
     * be a default value.
     */
    record Template(String text) implements SecretPolicy {
        /** {@code ${name}}, where name is a secret name. */
        public static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z0-9][a-z0-9_.-]{0,62})}");

        public Template {
            if (text == null || text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("template is null or has a NUL character");
            }
            if (!PLACEHOLDER.matcher(text).find()) {
                throw new IllegalArgumentException("template names no secret: literal text would be a default value");
            }
            String rest = PLACEHOLDER.matcher(text).replaceAll("");
            if (rest.contains("${")) {
                throw new IllegalArgumentException("template has a malformed placeholder: expected ${secret-name}");
            }
        }

        @Override
        public List<String> sources() {
            List<String> out = new ArrayList<>();
            Matcher m = PLACEHOLDER.matcher(text);
            while (m.find()) {
                if (!out.contains(m.group(1))) {
                    out.add(m.group(1));
                }
            }
            return List.copyOf(out);
        }

        @Override
        public String describe() {
            return "derived from " + String.join(", ", sources());
        }
    }
}
