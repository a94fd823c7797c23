package io.aixcl.core.secrets;

import io.aixcl.core.AixclException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every declared generation policy, by secret name. The stack file validates that templates name no cycle; this
 * class checks again, because a cycle here would recurse forever.
 */
public record SecretPolicies(Map<String, SecretPolicy> byName) {

    public static final SecretPolicies NONE = new SecretPolicies(Map.of());

    public SecretPolicies {
        byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        for (String name : byName.keySet()) {
            checkAcyclic(name, byName, new LinkedHashSet<>());
        }
    }

    /** The declared policy, or {@link SecretPolicy#DEFAULT} for a secret that declares none. */
    public SecretPolicy of(String name) {
        return byName.getOrDefault(name, SecretPolicy.DEFAULT);
    }

    public boolean isDerived(String name) {
        return of(name) instanceof SecretPolicy.Template;
    }

    /**
     * Every secret whose value is made, directly or through others, from {@code name}, in an order where each
     * comes after its sources: the order in which they must be regenerated when {@code name} changes.
     */
    public List<String> derivedFrom(String name) {
        List<String> out = new ArrayList<>();
        Set<String> affected = new LinkedHashSet<>(Set.of(name));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (var e : byName.entrySet()) {
                if (!affected.contains(e.getKey()) && e.getValue().sources().stream().anyMatch(affected::contains)) {
                    affected.add(e.getKey());
                    grew = true;
                }
            }
        }
        affected.remove(name);
        Set<String> placed = new LinkedHashSet<>(Set.of(name));
        while (out.size() < affected.size()) {
            for (String candidate : affected) {
                if (!placed.contains(candidate) && of(candidate).sources().stream()
                        .allMatch(s -> placed.contains(s) || !affected.contains(s))) {
                    placed.add(candidate);
                    out.add(candidate);
                }
            }
        }
        return List.copyOf(out);
    }

    private static void checkAcyclic(String name, Map<String, SecretPolicy> policies, LinkedHashSet<String> path) {
        if (!path.add(name)) {
            List<String> cycle = new ArrayList<>(path);
            cycle.add(name);
            throw new AixclException.InvalidInput("secret templates form a cycle: " + String.join(" -> ", cycle));
        }
        SecretPolicy p = policies.get(name);
        if (p != null) {
            for (String source : p.sources()) {
                checkAcyclic(source, policies, path);
            }
        }
        path.remove(name);
    }
}
