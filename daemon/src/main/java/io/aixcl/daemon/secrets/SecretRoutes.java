package io.aixcl.daemon.secrets;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.core.secrets.SecretPolicies;
import io.aixcl.core.secrets.SecretStore;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import io.aixcl.daemon.http.ErrorMapping;
import io.aixcl.daemon.http.Exchange;
import io.aixcl.daemon.http.Router;
import io.aixcl.daemon.stack.StackRoutes;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code /v1/secrets}: list (names, dates, how each is made, who uses it; never values), reveal (explicit and
 * recorded first), rotate (new value, derived secrets follow, running consumers get the new file and restart).
 */
public final class SecretRoutes {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    private final SecretStore store;
    private final StackRoutes stacks;
    private final RevealRecorder reveals;

    public SecretRoutes(SecretStore store, StackRoutes stacks, RevealRecorder reveals) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.stacks = Objects.requireNonNull(stacks, "stacks is null");
        this.reveals = Objects.requireNonNull(reveals, "reveals is null");
    }

    public void register(Router r) {
        r.get(ApiPaths.SECRETS, this::list);
        r.post(ApiPaths.SECRETS + "/{name}/reveal", this::reveal);
        r.post(ApiPaths.SECRETS + "/{name}/rotate", this::rotate);
    }

    private void list(Exchange ex) throws IOException {
        StackDefinition def = stacks.definition(ex.query("stackFile"));
        Map<String, List<String>> users = consumers(def);
        Map<String, SecretStore.SecretInfo> stored = new LinkedHashMap<>();
        store.list().forEach(i -> stored.put(i.name(), i));
        Set<String> names = new java.util.TreeSet<>(stored.keySet());
        names.addAll(users.keySet());
        names.addAll(def.secretPolicies().byName().keySet());
        List<Dtos.SecretInfo> out = new ArrayList<>();
        for (String n : names) {
            SecretStore.SecretInfo i = stored.get(n);
            out.add(new Dtos.SecretInfo(n, i != null, i == null ? null : text(i.created()),
                    i == null ? null : text(i.rotated()), def.secretPolicies().of(n).describe(),
                    users.getOrDefault(n, List.of())));
        }
        ex.ok(out);
    }

    private void reveal(Exchange ex) throws IOException {
        String name = name(ex);
        char[] value = store.reveal(name);
        try {
            reveals.revealing(ex, name);
            ex.okRevealingSecret(new Dtos.SecretValue(name, new String(value)));
        } finally {
            Arrays.fill(value, '\0');
        }
    }

    private void rotate(Exchange ex) throws IOException {
        String name = name(ex);
        Dtos.StackRequest req = ex.body(Dtos.StackRequest.class);
        StackDefinition def = stacks.definition(req.stackFile());
        SecretPolicies policies = def.secretPolicies();
        try (Exchange.EventStream stream = ex.stream()) {
            try {
                List<SecretStore.SecretInfo> changed = store.rotate(name, policies);
                Set<String> changedNames = new LinkedHashSet<>();
                for (SecretStore.SecretInfo i : changed) {
                    changedNames.add(i.name());
                    stream.send(Dtos.Event.step(i.name(), "rotated", null));
                }
                List<String> restarted = stacks.restartConsumers(changedNames, req.stackFile(), stream::send,
                        stream.cancellation());
                stream.send(new Dtos.Event("result", null, null, null, null, null, 0, 0, null, null, null, null,
                        Map.of("rotated", List.copyOf(changedNames), "restarted", restarted)));
            } catch (Throwable t) {
                stream.send(Dtos.Event.error(ErrorMapping.toApiError(t)));
            }
        }
    }

    /** Secret name to the services that mount it, in declaration order. */
    private static Map<String, List<String>> consumers(StackDefinition def) {
        Map<String, List<String>> out = new TreeMap<>();
        for (ServiceSpec s : def.services().values()) {
            for (SecretRef ref : s.secrets()) {
                out.computeIfAbsent(ref.name(), k -> new ArrayList<>()).add(s.name().value());
            }
        }
        return out;
    }

    private static String name(Exchange ex) {
        String name = ex.pathParam("name");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ErrorMapping.BadRequest("invalid secret name '" + name + "'");
        }
        return name;
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
