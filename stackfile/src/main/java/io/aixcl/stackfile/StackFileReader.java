package io.aixcl.stackfile;

import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.stackfile.StackDraft.Located;
import io.aixcl.stackfile.StackDraft.ProfileDraft;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads the top level of a stack file into a {@link StackDraft}; cross-references are checked after merging. */
final class StackFileReader {
    static final int VERSION = 1;
    private static final List<String> USER_KEYS = List.of("version", "name", "runtime", "default_profile", "services",
            "profiles", "secrets");
    private static final List<String> CATALOG_KEYS = List.of("version", "name", "runtime", "default_profile",
            "services", "profiles", "secrets", "runtimes");
    private static final List<String> PROFILE_KEYS = List.of("description", "extends", "services");
    static final Pattern PROFILE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    private final YamlReader r;
    private final boolean catalog;
    private final ServiceReader services;

    StackFileReader(YamlReader reader, boolean catalog) {
        this.r = reader;
        this.catalog = catalog;
        this.services = new ServiceReader(reader, catalog);
    }

    StackDraft read(MappingNode root) {
        Map<String, YamlReader.Entry> top = r.mapping(root, "", catalog ? CATALOG_KEYS : userKeysPlusRuntimes());
        Located<String> name = null;
        Located<RuntimeEngine> runtime = null;
        Located<String> defaultProfile = null;
        Map<ServiceName, ServiceDraft> serviceDrafts = new LinkedHashMap<>();
        Map<RuntimeEngine, ServiceDraft> runtimes = new LinkedHashMap<>();
        Map<String, ProfileDraft> profiles = new LinkedHashMap<>();
        Map<String, Located<SecretPolicy>> secrets = new LinkedHashMap<>();
        if (!top.containsKey("version")) {
            r.problem(root, "version", "missing: start the file with 'version: " + VERSION + "'");
        }
        for (YamlReader.Entry e : top.values()) {
            Node v = e.value();
            switch (e.key()) {
                case "version" -> {
                    if (!(v instanceof ScalarNode s && s.getValue().equals(String.valueOf(VERSION)))) {
                        r.problem(v, "version", "unsupported version " + YamlReader.describe(v) + ": expected "
                                + VERSION);
                    }
                }
                case "name" -> {
                    String s = r.string(v, "name");
                    if (s != null && !ServiceName.isValid(s)) {
                        r.problem(v, "name", "invalid stack name " + YamlReader.quote(s) + ": expected lowercase "
                                + "letters, digits and '-', starting with a letter, at most 63 characters");
                    } else if (s != null) {
                        name = new Located<>(s, r.where(v));
                    }
                }
                case "runtime" -> {
                    String s = r.string(v, "runtime");
                    if (s != null) {
                        var engine = RuntimeEngine.ofWireName(s);
                        if (engine.isEmpty()) {
                            r.problem(v, "runtime", "unknown runtime " + YamlReader.quote(s)
                                    + Suggestions.didYouMean(s, RuntimeEngine.wireNames()) + "; expected one of: "
                                    + String.join(", ", RuntimeEngine.wireNames()));
                        } else {
                            runtime = new Located<>(engine.get(), r.where(v));
                        }
                    }
                }
                case "default_profile" -> {
                    String s = r.string(v, "default_profile", PROFILE_NAME, "a profile name");
                    if (s != null) {
                        defaultProfile = new Located<>(s, r.where(v));
                    }
                }
                case "services" -> readServices(v, serviceDrafts);
                case "runtimes" -> {
                    if (catalog) {
                        readRuntimes(v, runtimes);
                    } else {
                        r.problem(e.keyNode(), "runtimes", "runtimes are defined by the catalog: choose one with "
                                + "'runtime:' and adjust it under 'services: {inference: ...}'");
                    }
                }
                case "profiles" -> readProfiles(v, profiles);
                case "secrets" -> secrets.putAll(new SecretPolicyReader(r).read(v));
                default -> throw new IllegalStateException(e.key());
            }
        }
        return new StackDraft(r.file(), name, runtime, defaultProfile, serviceDrafts, runtimes, profiles, secrets);
    }

    /** User files get a specific message for 'runtimes' rather than "unknown key". */
    private static List<String> userKeysPlusRuntimes() {
        List<String> keys = new ArrayList<>(USER_KEYS);
        keys.add("runtimes");
        return keys;
    }

    private void readServices(Node node, Map<ServiceName, ServiceDraft> out) {
        Map<String, YamlReader.Entry> entries = r.mapping(node, "services", null);
        if (entries == null) {
            return;
        }
        for (YamlReader.Entry e : entries.values()) {
            String field = "services." + e.key();
            ServiceName name = services.serviceName(e.keyNode(), e.key(), field);
            if (name == null) {
                continue;
            }
            if (catalog && name.equals(StackAssembler.RUNTIME_CORE)) {
                r.problem(e.keyNode(), field, "the runtime core is defined under 'runtimes'");
                continue;
            }
            out.put(name, services.read(name, e.value(), field));
        }
    }

    private void readRuntimes(Node node, Map<RuntimeEngine, ServiceDraft> out) {
        Map<String, YamlReader.Entry> entries = r.mapping(node, "runtimes", RuntimeEngine.wireNames());
        if (entries == null) {
            return;
        }
        for (YamlReader.Entry e : entries.values()) {
            RuntimeEngine engine = RuntimeEngine.ofWireName(e.key()).orElseThrow();
            out.put(engine, services.read(StackAssembler.RUNTIME_CORE, e.value(), "runtimes." + e.key()));
        }
    }

    private void readProfiles(Node node, Map<String, ProfileDraft> out) {
        Map<String, YamlReader.Entry> entries = r.mapping(node, "profiles", null);
        if (entries == null) {
            return;
        }
        for (YamlReader.Entry e : entries.values()) {
            String field = "profiles." + e.key();
            if (!PROFILE_NAME.matcher(e.key()).matches()) {
                r.problem(e.keyNode(), field, "invalid profile name " + YamlReader.quote(e.key())
                        + ": expected lowercase letters, digits and '-', starting with a letter");
                continue;
            }
            Map<String, YamlReader.Entry> p = r.mapping(e.value(), field, PROFILE_KEYS);
            if (p == null) {
                continue;
            }
            String description = p.containsKey("description")
                    ? r.string(p.get("description").value(), field + ".description") : null;
            List<Located<String>> bases = p.containsKey("extends")
                    ? names(p.get("extends").value(), field + ".extends", true) : List.of();
            List<Located<String>> members = p.containsKey("services")
                    ? names(p.get("services").value(), field + ".services", false) : List.of();
            if (!p.containsKey("services") && !p.containsKey("extends")) {
                r.problem(e.keyNode(), field, "a profile needs 'services' (and may 'extends' other profiles)");
            }
            out.put(e.key(), new ProfileDraft(e.key(), r.where(e.keyNode()), description, bases, members));
        }
    }

    /** A list of names, or for {@code extends} also a single name. */
    private List<Located<String>> names(Node node, String field, boolean singleAllowed) {
        List<Located<String>> out = new ArrayList<>();
        if (singleAllowed && node instanceof ScalarNode && !YamlReader.isNull(node)) {
            String s = r.string(node, field);
            out.add(new Located<>(s, r.where(node)));
            return out;
        }
        List<Node> items = r.sequence(node, field);
        if (items == null) {
            return out;
        }
        for (int i = 0; i < items.size(); i++) {
            String s = r.string(items.get(i), field + "[" + i + "]");
            if (s != null) {
                out.add(new Located<>(s, r.where(items.get(i))));
            }
        }
        return out;
    }
}
