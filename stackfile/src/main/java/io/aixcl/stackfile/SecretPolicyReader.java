package io.aixcl.stackfile;

import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.stackfile.StackDraft.Located;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads the top-level {@code secrets:} section: how each secret is generated.
 * <pre>
 * secrets:
 *   grafana-admin-password: { length: 24 }       # random URL-safe characters (default: 32)
 *   open-webui-secret-key: { hex: 32 }           # random bytes as hex digits
 *   open-webui-pgpass: { template: "127.0.0.1:5432:*:aixcl:${postgres-password}" }   # derived, follows its source
 * </pre>
 */
final class SecretPolicyReader {
    private static final List<String> KEYS = List.of("length", "hex", "template");

    private final YamlReader r;

    SecretPolicyReader(YamlReader reader) {
        this.r = reader;
    }

    Map<String, Located<SecretPolicy>> read(Node node) {
        Map<String, Located<SecretPolicy>> out = new LinkedHashMap<>();
        Map<String, YamlReader.Entry> entries = r.mapping(node, "secrets", null);
        if (entries == null) {
            return out;
        }
        for (YamlReader.Entry e : entries.values()) {
            String field = "secrets." + e.key();
            if (!ServiceReader.SECRET_NAME.matcher(e.key()).matches()) {
                r.problem(e.keyNode(), field, "invalid secret name " + YamlReader.quote(e.key())
                        + ": expected lowercase letters, digits, '.', '_', '-'");
                continue;
            }
            SecretPolicy policy = policy(e.value(), field);
            if (policy != null) {
                out.put(e.key(), new Located<>(policy, r.where(e.keyNode())));
            }
        }
        return out;
    }

    private SecretPolicy policy(Node node, String field) {
        Map<String, YamlReader.Entry> m = r.mapping(node, field, KEYS);
        if (m == null) {
            return null;
        }
        boolean unknownKeysReported = node instanceof MappingNode mn && mn.getValue().size() > m.size();
        if (m.isEmpty() && unknownKeysReported) {
            return null;
        }
        if (m.size() != 1) {
            r.problem(node, field, "expected exactly one of: length (random characters), hex (random bytes as hex), "
                    + "template (derived from other secrets)");
            return null;
        }
        YamlReader.Entry e = m.values().iterator().next();
        String f = field + "." + e.key();
        return switch (e.key()) {
            case "length" -> {
                Integer n = r.integer(e.value(), f, SecretPolicy.RandomPassword.MIN, SecretPolicy.RandomPassword.MAX);
                yield n == null ? null : new SecretPolicy.RandomPassword(n);
            }
            case "hex" -> {
                Integer n = r.integer(e.value(), f, SecretPolicy.HexKey.MIN, SecretPolicy.HexKey.MAX);
                yield n == null ? null : new SecretPolicy.HexKey(n);
            }
            case "template" -> {
                String text = r.string(e.value(), f);
                if (text == null) {
                    yield null;
                }
                try {
                    yield new SecretPolicy.Template(text);
                } catch (IllegalArgumentException ex) {
                    r.problem(e.value(), f, ex.getMessage());
                    yield null;
                }
            }
            default -> throw new IllegalStateException(e.key());
        };
    }
}
