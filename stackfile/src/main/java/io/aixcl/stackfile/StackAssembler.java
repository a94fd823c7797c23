package io.aixcl.stackfile;

import io.aixcl.core.secrets.SecretPolicies;
import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.core.stack.Profile;
import io.aixcl.core.stack.Role;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import io.aixcl.stackfile.ServiceDraft.DependencyDraft;
import io.aixcl.stackfile.StackDraft.Located;
import io.aixcl.stackfile.StackDraft.ProfileDraft;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays a user's stack file over the catalog and checks what only the merged whole can tell: references resolve,
 * no dependency cycles, the runtime core is in every profile and depends on nothing, no two services of a profile
 * listen on one port.
 */
final class StackAssembler {
    static final ServiceName RUNTIME_CORE = ServiceName.of("inference");
    static final String DEFAULT_STACK_NAME = "aixcl";

    private final Problems problems;

    StackAssembler(Problems problems) {
        this.problems = problems;
    }

    LoadedStack assemble(StackDraft catalog, StackDraft user) {
        String name = pick(user.name(), catalog.name(), DEFAULT_STACK_NAME);
        Located<RuntimeEngine> runtime = user.runtime() != null ? user.runtime() : catalog.runtime();
        Map<ServiceName, ServiceDraft> services = new LinkedHashMap<>();
        if (runtime == null) {
            problems.add(Where.start(catalog.file()), "runtime", "missing: choose one of "
                    + String.join(", ", RuntimeEngine.wireNames()));
        } else if (!catalog.runtimes().containsKey(runtime.value())) {
            problems.add(runtime.where(), "runtime", "the catalog has no runtime '" + runtime.value().wireName() + "'");
        } else {
            services.put(RUNTIME_CORE, catalog.runtimes().get(runtime.value()).withRole(Role.RUNTIME_CORE));
        }
        services.putAll(catalog.services());
        user.services().forEach((n, draft) -> services.merge(n, draft, (base, over) -> over.over(base)));

        Map<String, ProfileDraft> profileDrafts = new LinkedHashMap<>(catalog.profiles());
        profileDrafts.putAll(user.profiles());
        Located<String> defaultProfile = user.defaultProfile() != null ? user.defaultProfile()
                : catalog.defaultProfile();

        Map<String, Located<SecretPolicy>> secretPolicies = new LinkedHashMap<>(catalog.secrets());
        secretPolicies.putAll(user.secrets());

        checkServices(services);
        checkCycles(services);
        checkSecretTemplates(secretPolicies);
        Map<String, List<ServiceName>> profiles = resolveProfiles(profileDrafts, services);
        checkPorts(profiles, services);
        if (defaultProfile == null) {
            problems.add(Where.start(user.file()), "default_profile", "missing: name one of the profiles");
        } else if (!profileDrafts.containsKey(defaultProfile.value())) {
            problems.add(defaultProfile.where(), "default_profile", "no profile named '" + defaultProfile.value()
                    + "'" + Suggestions.didYouMean(defaultProfile.value(), profileDrafts.keySet())
                    + "; known profiles: " + String.join(", ", profileDrafts.keySet()));
        }
        problems.throwIfAny();

        Map<ServiceName, ServiceSpec> specs = new LinkedHashMap<>();
        Map<ServiceName, Set<EngineApiOperation>> engineApi = new LinkedHashMap<>();
        services.forEach((n, d) -> {
            specs.put(n, d.toSpec());
            if (d.engineApi() != null && !d.engineApi().isEmpty()) {
                engineApi.put(n, d.engineApi());
            }
        });
        Map<String, Profile> built = new LinkedHashMap<>();
        profiles.forEach((n, members) -> built.put(n, new Profile(n, description(profileDrafts.get(n)), members)));
        Map<String, SecretPolicy> policies = new LinkedHashMap<>();
        secretPolicies.forEach((n, p) -> policies.put(n, p.value()));
        return new LoadedStack(new StackDefinition(name, specs, built, defaultProfile.value(),
                new SecretPolicies(policies)), runtime.value(), engineApi);
    }

    private static String pick(Located<String> first, Located<String> second, String fallback) {
        return first != null ? first.value() : second != null ? second.value() : fallback;
    }

    private static String description(ProfileDraft p) {
        return p.description() == null ? "" : p.description();
    }

    private void checkServices(Map<ServiceName, ServiceDraft> services) {
        for (ServiceDraft s : services.values()) {
            String field = "services." + s.name();
            if (s.image() == null && !s.at().containsKey("image")) {
                problems.add(s.where(), field + ".image", "missing: every service needs a pinned image");
            }
            if (s.health() != null && s.health().probe() == null) {
                problems.add(s.at("health"), field + ".health", "expected one probe: http, tcp or command");
            }
            if (s.role() == Role.RUNTIME_CORE && !s.dependencies().isEmpty()) {
                problems.add(s.at("depends_on"), field + ".depends_on", "the runtime core never depends on an "
                        + "operational service, so that inference works whatever else is down");
                continue;
            }
            for (DependencyDraft d : s.dependencies()) {
                if (d.service().equals(s.name())) {
                    problems.add(d.where(), field + ".depends_on", "a service cannot depend on itself");
                } else if (!services.containsKey(d.service())) {
                    problems.add(d.where(), field + ".depends_on", "unknown service '" + d.service() + "'"
                            + Suggestions.didYouMean(d.service().value(), names(services)));
                }
            }
        }
    }

    /** A derived secret is regenerated from its sources, so they cannot, through any chain, include itself. */
    private void checkSecretTemplates(Map<String, Located<SecretPolicy>> policies) {
        Set<String> reported = new HashSet<>();
        for (var e : policies.entrySet()) {
            Deque<String> path = new ArrayDeque<>();
            path.push(e.getKey());
            secretCycle(e.getKey(), policies, path, reported);
        }
    }

    private void secretCycle(String name, Map<String, Located<SecretPolicy>> policies, Deque<String> path,
                             Set<String> reported) {
        Located<SecretPolicy> p = policies.get(name);
        if (p == null) {
            return;
        }
        for (String source : p.value().sources()) {
            if (path.contains(source)) {
                List<String> cycle = new ArrayList<>(path.reversed());
                cycle.add(source);
                if (reported.add(String.join(",", new java.util.TreeSet<>(cycle)))) {
                    problems.add(p.where(), "secrets." + name + ".template", source.equals(name)
                            ? "a template cannot use its own secret" : "secret templates form a cycle: "
                            + String.join(" -> ", cycle));
                }
                continue;
            }
            path.push(source);
            secretCycle(source, policies, path, reported);
            path.pop();
        }
    }

    private void checkCycles(Map<ServiceName, ServiceDraft> services) {
        Set<ServiceName> done = new HashSet<>();
        Set<String> reported = new HashSet<>();
        for (ServiceName start : services.keySet()) {
            findCycle(start, services, new ArrayDeque<>(), done, reported);
        }
    }

    private void findCycle(ServiceName s, Map<ServiceName, ServiceDraft> services, Deque<ServiceName> path,
                           Set<ServiceName> done, Set<String> reported) {
        if (done.contains(s) || !services.containsKey(s)) {
            return;
        }
        if (path.contains(s)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (var it = path.descendingIterator(); it.hasNext(); ) {
                ServiceName p = it.next();
                in |= p.equals(s);
                if (in) {
                    cycle.add(p.value());
                }
            }
            cycle.add(s.value());
            if (reported.add(String.join(",", new java.util.TreeSet<>(cycle)))) {
                problems.add(services.get(s).at("depends_on"), "services." + s + ".depends_on",
                        "dependency cycle: " + String.join(" -> ", cycle));
            }
            return;
        }
        path.push(s);
        for (DependencyDraft d : services.get(s).dependencies()) {
            findCycle(d.service(), services, path, done, reported);
        }
        path.pop();
        done.add(s);
    }

    private Map<String, List<ServiceName>> resolveProfiles(Map<String, ProfileDraft> drafts,
                                                           Map<ServiceName, ServiceDraft> services) {
        Map<String, List<ServiceName>> resolved = new LinkedHashMap<>();
        for (String name : drafts.keySet()) {
            resolved.put(name, List.copyOf(members(name, drafts, services, new ArrayDeque<>(), new HashMap<>())));
        }
        for (ProfileDraft p : drafts.values()) {
            if (!resolved.get(p.name()).contains(RUNTIME_CORE)) {
                problems.add(p.where(), "profiles." + p.name(), "the runtime core 'inference' is in every profile: "
                        + "add it to services (or extend a profile that has it)");
            }
        }
        return resolved;
    }

    private LinkedHashSet<ServiceName> members(String name, Map<String, ProfileDraft> drafts,
                                               Map<ServiceName, ServiceDraft> services, Deque<String> path,
                                               Map<String, LinkedHashSet<ServiceName>> memo) {
        if (memo.containsKey(name)) {
            return memo.get(name);
        }
        ProfileDraft p = drafts.get(name);
        path.push(name);
        LinkedHashSet<ServiceName> out = new LinkedHashSet<>();
        String field = "profiles." + name;
        for (Located<String> base : p.extendsProfiles()) {
            if (!drafts.containsKey(base.value())) {
                problems.add(base.where(), field + ".extends", "unknown profile '" + base.value() + "'"
                        + Suggestions.didYouMean(base.value(), drafts.keySet()));
            } else if (path.contains(base.value())) {
                List<String> cycle = new ArrayList<>(path.reversed());
                cycle.add(base.value());
                problems.add(base.where(), field + ".extends", "profile cycle: " + String.join(" -> ", cycle));
            } else {
                out.addAll(members(base.value(), drafts, services, path, memo));
            }
        }
        for (Located<String> member : p.services()) {
            if (!ServiceName.isValid(member.value()) || !services.containsKey(ServiceName.of(member.value()))) {
                problems.add(member.where(), field + ".services", "unknown service '" + member.value() + "'"
                        + Suggestions.didYouMean(member.value(), names(services)));
            } else {
                out.add(ServiceName.of(member.value()));
            }
        }
        path.pop();
        memo.put(name, out);
        return out;
    }

    /** Services share the host network, so two of one profile (dependencies included) cannot listen on one port. */
    private void checkPorts(Map<String, List<ServiceName>> profiles, Map<ServiceName, ServiceDraft> services) {
        Set<String> reported = new HashSet<>();
        profiles.forEach((profile, members) -> {
            Map<Integer, ServiceName> owner = new HashMap<>();
            for (ServiceName s : closure(members, services)) {
                for (int port : services.get(s).declaredPorts()) {
                    ServiceName other = owner.putIfAbsent(port, s);
                    if (other != null && reported.add(port + ":" + other + ":" + s)) {
                        problems.add(services.get(s).at("ports"), "services." + s + ".ports", "port " + port
                                + " is also used by '" + other + "' in profile '" + profile
                                + "': services share the host network, so each port has one listener");
                    }
                }
            }
        });
    }

    private static Set<ServiceName> closure(List<ServiceName> members, Map<ServiceName, ServiceDraft> services) {
        Set<ServiceName> out = new LinkedHashSet<>();
        Deque<ServiceName> queue = new ArrayDeque<>(members);
        while (!queue.isEmpty()) {
            ServiceName s = queue.poll();
            if (services.containsKey(s) && out.add(s)) {
                services.get(s).dependencies().forEach(d -> queue.add(d.service()));
            }
        }
        return out;
    }

    private static List<String> names(Map<ServiceName, ServiceDraft> services) {
        return services.keySet().stream().map(ServiceName::value).toList();
    }
}
