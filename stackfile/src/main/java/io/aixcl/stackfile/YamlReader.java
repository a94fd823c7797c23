package io.aixcl.stackfile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Typed access to the nodes of one file. Every accessor reports what it expected and what it found, at the node's
 * position, and returns null when the value is unusable, so that reading goes on and all problems are collected.
 */
final class YamlReader {
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d{1,18}");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d{1,12}(\\.\\d{0,9})?|\\.\\d{1,9})");
    private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");

    private final String file;
    private final Problems problems;

    YamlReader(String file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    String file() {
        return file;
    }

    Where where(Node node) {
        return Where.of(file, node);
    }

    void problem(Node node, String field, String message) {
        problems.add(where(node), field, message);
    }

    /** A key and its value; the key node is where problems about the entry itself point. */
    record Entry(String key, Node keyNode, Node value) {}

    /**
     * The entries of a mapping in file order. Reports duplicate keys and, when {@code known} is not null, keys not in
     * it (with the closest known key). Returns null when {@code node} is not a mapping.
     */
    Map<String, Entry> mapping(Node node, String field, Collection<String> known) {
        if (!(node instanceof MappingNode m)) {
            problem(node, field, "expected a mapping, found " + describe(node));
            return null;
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            Node k = t.getKeyNode();
            if (!(k instanceof ScalarNode s) || isNull(k)) {
                problem(k, field, "expected a plain key, found " + describe(k));
                continue;
            }
            String key = s.getValue();
            String path = join(field, key);
            if (entries.containsKey(key)) {
                Where first = where(entries.get(key).keyNode());
                problem(k, path, "duplicate key (first defined at line " + first.line() + ")");
                continue;
            }
            if (known != null && !known.contains(key)) {
                problem(k, path, "unknown key" + Suggestions.didYouMean(key, known)
                        + "; expected one of: " + String.join(", ", known));
                continue;
            }
            entries.put(key, new Entry(key, k, t.getValueNode()));
        }
        return entries;
    }

    List<Node> sequence(Node node, String field) {
        if (node instanceof SequenceNode s) {
            return s.getValue();
        }
        problem(node, field, "expected a list, found " + describe(node));
        return null;
    }

    String string(Node node, String field) {
        if (node instanceof ScalarNode s && !isNull(node)) {
            return s.getValue();
        }
        problem(node, field, "expected a string, found " + describe(node));
        return null;
    }

    /** A non-empty string matching {@code pattern}; {@code expected} says in words what that is. */
    String string(Node node, String field, Pattern pattern, String expected) {
        String s = string(node, field);
        if (s != null && !pattern.matcher(s).matches()) {
            problem(node, field, "expected " + expected + ", found " + quote(s));
            return null;
        }
        return s;
    }

    List<String> strings(Node node, String field) {
        List<Node> items = sequence(node, field);
        if (items == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            String s = string(items.get(i), field + "[" + i + "]");
            ok &= s != null;
            out.add(s);
        }
        return ok ? out : null;
    }

    Integer integer(Node node, String field, long min, long max) {
        if (node instanceof ScalarNode s && s.getScalarStyle() == ScalarStyle.PLAIN
                && INTEGER.matcher(s.getValue()).matches()) {
            long v = Long.parseLong(s.getValue());
            if (v < min || v > max) {
                problem(node, field, "expected a whole number from " + min + " to " + max + ", found " + v);
                return null;
            }
            return (int) v;
        }
        problem(node, field, "expected a whole number from " + min + " to " + max + ", found " + describe(node));
        return null;
    }

    Double number(Node node, String field) {
        if (node instanceof ScalarNode s && NUMBER.matcher(s.getValue()).matches()) {
            return Double.parseDouble(s.getValue());
        }
        problem(node, field, "expected a number, found " + describe(node));
        return null;
    }

    Boolean bool(Node node, String field) {
        if (node instanceof ScalarNode s && s.getScalarStyle() == ScalarStyle.PLAIN) {
            switch (s.getValue()) {
                case "true", "True", "TRUE" -> { return true; }
                case "false", "False", "FALSE" -> { return false; }
                default -> { }
            }
        }
        problem(node, field, "expected true or false, found " + describe(node));
        return null;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode s && s.getScalarStyle() == ScalarStyle.PLAIN && NULLS.contains(s.getValue());
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        return quote(((ScalarNode) node).getValue());
    }

    static String quote(String s) {
        String clipped = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        StringBuilder b = new StringBuilder("'");
        clipped.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append('\'').toString();
    }

    static String join(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }
}
