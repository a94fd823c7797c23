package io.aixcl.daemon.secrets;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.core.AixclException;
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
 * recorded first), rotate (new value, derived secrets follow, the services that must apply it run their
 * {@code on_rotate} hooks, then running consumers get the new file and restart).
 */
public final class SecretRoutes {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    private final SecretStore store;
    private final StackRoutes stacks;
    private final RevealRecorder reveals;
    private final RotationHooks hooks;

    public SecretRoutes(SecretStore store, StackRoutes stacks, RevealRecorder reveals, RotationHooks hooks) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.stacks = Objects.requireNonNull(stacks, "stacks is null");
        this.reveals = Objects.requireNonNull(reveals, "reveals is null");
        this.hooks = Objects.requireNonNull(hooks, "hooks is null");
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

    /**
     * New value, derived secrets follow; then the {@code on_rotate} hooks run in the services that must apply the
     * value themselves (a database role's password), with the new files rewritten in place in their running
     * containers; only when every hook succeeded are the consumers restarted with the new files.
     */
    private void rotate(Exchange ex) throws IOException {
        String name = name(ex);
        Dtos.StackRequest req = ex.body(Dtos.StackRequest.class);
        StackDefinition def = stacks.definition(req.stackFile());
        SecretPolicies policies = def.secretPolicies();
        try (Exchange.EventStream stream = ex.stream()) {
            try {
                Set<String> affected = new LinkedHashSet<>(List.of(name));
                affected.addAll(policies.derivedFrom(name));
                List<RotationHooks.Pending> pending = RotationHooks.triggeredBy(def, affected);
                // Before any value changes: a hook that cannot run would leave the value half rotated.
                Map<String, String> containers = pending.isEmpty() ? Map.of() : hooks.requireRunning(def, pending);
                Set<String> changedNames = new LinkedHashSet<>();
                List<String> hooksRan = new ArrayList<>();
                try (SecretStore.Rotation rotation = store.rotateRevertibly(name, policies)) {
                    for (SecretStore.SecretInfo i : rotation.changed()) {
                        changedNames.add(i.name());
                        stream.send(Dtos.Event.step(i.name(), "rotated", null));
                    }
                    List<RotationHooks.Pending> due = pending.stream()
                            .filter(p -> changedNames.contains(p.ref().name())).toList();
                    if (!due.isEmpty()) {
                        applyHooks(ex, stream, name, def, due, containers, rotation, changedNames, hooksRan);
                    }
                }
                List<String> restarted = stacks.restartConsumers(changedNames, req.stackFile(), stream::send,
                        stream.cancellation());
                stream.send(new Dtos.Event("result", null, null, null, null, null, 0, 0, null, null, null, null,
                        Map.of("rotated", List.copyOf(changedNames), "hooks", hooksRan, "restarted", restarted)));
            } catch (Throwable t) {
                stream.send(Dtos.Event.error(ErrorMapping.toApiError(t)));
            }
        }
    }

    /**
     * Runs the hooks; when one fails, undoes the rotation and throws. Undo rather than keep the new value: the
     * servers (and every consumer not yet restarted) still hold the previous value, so putting it back in the store
     * and in the hook services' files is what keeps every credential one the servers accept; the hooks that had
     * already succeeded run again with the previous file, which makes their services accept the previous value again.
     * The new value, which no consumer ever received, is dropped.
     */
    private void applyHooks(Exchange ex, Exchange.EventStream stream, String name, StackDefinition def,
                            List<RotationHooks.Pending> due, Map<String, String> containers,
                            SecretStore.Rotation rotation, Set<String> changed, List<String> hooksRan) {
        List<RotationHooks.Ran> ran = hooks.apply(def.name(), due, containers, changed, stream::send);
        ran.forEach(r -> hooksRan.add(r.pending().service().name() + "/" + r.pending().ref().name()));
        // Audit: which hooks ran and how they ended; never a value, never their output.
        ex.auditFact("onRotate", String.join(", ", ran.stream().map(r -> r.pending().service().name() + "/"
                + r.pending().ref().name() + " " + (r.ok() ? "succeeded" : "failed, " + RotationHooks.exit(r)))
                .toList()));
        RotationHooks.Ran last = ran.getLast();
        if (last.ok()) {
            return;
        }
        for (SecretStore.SecretInfo i : rotation.revert()) {
            stream.send(Dtos.Event.step(i.name(), "reverted", "previous value back"));
        }
        List<RotationHooks.Ran> again = hooks.undo(def.name(), ran, containers, changed, stream::send);
        List<RotationHooks.Ran> undoFailed = again.stream().filter(r -> !r.ok()).toList();
        ex.auditFact("reverted", undoFailed.isEmpty() ? "yes" : "store and files yes; hooks failed again in "
                + String.join(", ", undoFailed.stream().map(r -> r.pending().service().name().value()).toList()));
        StringBuilder m = new StringBuilder("secret '" + name + "' was not rotated: " + last.pending().describe()
                + " failed (" + RotationHooks.exit(last) + ")");
        m.append(last.output().isEmpty() ? "" : ": " + last.output());
        m.append(". The previous value is back in the store and in the files of the running services; no service "
                + "was restarted.");
        for (RotationHooks.Ran r : undoFailed) {
            m.append(" But re-applying the previous value failed too: ").append(r.pending().describe()).append(" (")
                    .append(RotationHooks.exit(r)).append(r.output().isEmpty() ? "" : ": " + r.output())
                    .append("); that service may now accept only the new value, which was dropped: rotate again"
                            + " once the hook works.");
        }
        throw new AixclException.Failed(m.toString(), null);
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
