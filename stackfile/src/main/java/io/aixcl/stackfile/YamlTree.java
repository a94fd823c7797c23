package io.aixcl.stackfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.StreamDataWriter;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Builds YAML for other tools to read. String values are always double-quoted, because the readers (PyYAML in
 * podman-compose, for one) follow YAML 1.1, where plain {@code no}, {@code on} or {@code 0755} are not strings.
 */
final class YamlTree {
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Set<String> YAML11_WORDS = Set.of("y", "n", "yes", "no", "on", "off", "true", "false",
            "null", "~");

    private YamlTree() {}

    static final class Mapping {
        private final List<NodeTuple> tuples = new ArrayList<>();

        Mapping put(String key, Node value) {
            tuples.add(new NodeTuple(key(key), value));
            return this;
        }

        Mapping put(String key, String value) {
            return put(key, str(value));
        }

        Mapping put(String key, Mapping value) {
            return put(key, value.node());
        }

        boolean isEmpty() {
            return tuples.isEmpty();
        }

        MappingNode node() {
            return new MappingNode(Tag.MAP, tuples, FlowStyle.BLOCK);
        }
    }

    static Mapping map() {
        return new Mapping();
    }

    static SequenceNode seq(List<String> values) {
        return new SequenceNode(Tag.SEQ, values.stream().map(v -> (Node) str(v)).toList(), FlowStyle.BLOCK);
    }

    static SequenceNode seqOfMaps(List<Mapping> values) {
        return new SequenceNode(Tag.SEQ, values.stream().map(v -> (Node) v.node()).toList(), FlowStyle.BLOCK);
    }

    static ScalarNode str(String value) {
        return new ScalarNode(Tag.STR, value, ScalarStyle.DOUBLE_QUOTED);
    }

    static ScalarNode num(long value) {
        return new ScalarNode(Tag.INT, Long.toString(value), ScalarStyle.PLAIN);
    }

    static ScalarNode num(double value) {
        return new ScalarNode(Tag.FLOAT, String.format(Locale.ROOT, "%s", value), ScalarStyle.PLAIN);
    }

    static ScalarNode bool(boolean value) {
        return new ScalarNode(Tag.BOOL, Boolean.toString(value), ScalarStyle.PLAIN);
    }

    private static ScalarNode key(String key) {
        boolean plain = PLAIN_KEY.matcher(key).matches() && !YAML11_WORDS.contains(key.toLowerCase(Locale.ROOT));
        return new ScalarNode(Tag.STR, key, plain ? ScalarStyle.PLAIN : ScalarStyle.DOUBLE_QUOTED);
    }

    static String dump(Mapping root) {
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
                .setIndicatorIndent(2).setIndentWithIndicator(true).setWidth(Integer.MAX_VALUE).setSplitLines(false)
                .build();
        StringBuilderWriter out = new StringBuilderWriter();
        new Dump(settings).dumpNode(root.node(), out);
        return out.text.toString();
    }

    private static final class StringBuilderWriter implements StreamDataWriter {
        final StringBuilder text = new StringBuilder();

        @Override
        public void write(String str) {
            text.append(str);
        }

        @Override
        public void write(String str, int off, int len) {
            text.append(str, off, off + len);
        }
    }
}
