package io.aixcl.core.plan;

import io.aixcl.core.AixclException;
import io.aixcl.core.stack.Dependency;
import io.aixcl.core.stack.Profile;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns a profile of a stack definition into a leveled start order. Pure: no engine, no I/O. */
public final class Planner {

    public StackPlan plan(StackDefinition definition, String profileName) {
        Profile profile = definition.profile(profileName);
        Set<ServiceName> selected = new LinkedHashSet<>(profile.services());
        List<ServiceName> added = new ArrayList<>();
        // Dependencies outside the profile are pulled in, and the plan says so.
        List<ServiceName> queue = new ArrayList<>(selected);
        while (!queue.isEmpty()) {
            ServiceName next = queue.removeFirst();
            for (Dependency d : definition.service(next).dependsOn()) {
                if (!definition.services().containsKey(d.service())) {
                    throw new AixclException.InvalidInput("service '" + next + "' depends on unknown service '"
                            + d.service() + "'");
                }
                if (selected.add(d.service())) {
                    added.add(d.service());
                    queue.add(d.service());
                }
            }
        }
        return new StackPlan(definition.name(), profile.name(), levels(definition, selected), added);
    }

    private static List<List<ServiceSpec>> levels(StackDefinition definition, Set<ServiceName> selected) {
        Map<ServiceName, Integer> level = new HashMap<>();
        for (ServiceName s : selected) {
            levelOf(definition, s, level, new LinkedHashSet<>());
        }
        int depth = level.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        List<List<ServiceSpec>> levels = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            levels.add(new ArrayList<>());
        }
        selected.stream().sorted(Comparator.comparing(ServiceName::value))
                .forEach(s -> levels.get(level.get(s)).add(definition.service(s)));
        return levels;
    }

    private static int levelOf(StackDefinition def, ServiceName s, Map<ServiceName, Integer> memo,
                               LinkedHashSet<ServiceName> path) {
        Integer known = memo.get(s);
        if (known != null) {
            return known;
        }
        if (!path.add(s)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (ServiceName p : path) {
                in |= p.equals(s);
                if (in) {
                    cycle.add(p.value());
                }
            }
            cycle.add(s.value());
            throw new AixclException.InvalidInput("dependency cycle: " + String.join(" -> ", cycle));
        }
        int l = 0;
        for (Dependency d : def.service(s).dependsOn()) {
            l = Math.max(l, levelOf(def, d.service(), memo, path) + 1);
        }
        path.remove(s);
        memo.put(s, l);
        return l;
    }
}
