package io.aixcl.daemon.secrets;

import io.aixcl.api.Dtos;
import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ContainerState;
import io.aixcl.core.engine.ExecResult;
import io.aixcl.core.plan.ContainerNames;
import io.aixcl.core.plan.ContainerSpecs;
import io.aixcl.core.plan.Labels;
import io.aixcl.core.secrets.Redactor;
import io.aixcl.core.secrets.SecretDelivery;
import io.aixcl.core.stack.RotationHook;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@code on_rotate} hooks of a rotation, run generically: whatever the stack file declares, in the service that
 * declares it. For each hook's service: its changed secret files are rewritten in place (its running container sees
 * them), then the hook runs inside it. The daemon adds no policy of its own; what a hook does is configuration.
 */
public final class RotationHooks {
    /** The end of a hook's output kept in a message: enough for an error, bounded for a response. */
    static final int OUTPUT_LIMIT = 2000;

    private final Supplier<ContainerEngine> engine;
    private final SecretDelivery delivery;
    private final Path secretsDir;
    private final Redactor redactor;

    public RotationHooks(Supplier<ContainerEngine> engine, SecretDelivery delivery, Path secretsDir,
                         Redactor redactor) {
        this.engine = Objects.requireNonNull(engine, "engine is null");
        this.delivery = Objects.requireNonNull(delivery, "delivery is null");
        this.secretsDir = Objects.requireNonNull(secretsDir, "secretsDir is null");
        this.redactor = Objects.requireNonNull(redactor, "redactor is null");
    }

    /** A hook to run in {@code service} because its secret {@code ref} changes. */
    public record Pending(ServiceSpec service, SecretRef ref) {
        public RotationHook hook() {
            return ref.onRotate().orElseThrow();
        }

        String describe() {
            return "on_rotate of secret '" + ref.name() + "' in service '" + service.name() + "' (" + hook().program()
                    + ")";
        }
    }

    /** How one hook ended. {@code output} is scrubbed of every known secret value and shortened. */
    public record Ran(Pending pending, boolean ok, int exitCode, String output) {}

    /** The hooks that a change of {@code affected} secrets triggers, in the order the stack declares services. */
    public static List<Pending> triggeredBy(StackDefinition def, Set<String> affected) {
        List<Pending> out = new ArrayList<>();
        for (ServiceSpec s : def.services().values()) {
            for (SecretRef ref : s.secrets()) {
                if (ref.onRotate().isPresent() && affected.contains(ref.name())) {
                    out.add(new Pending(s, ref));
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Checked before any value changes: a hook's service must be running, in a container made from its current
     * definition (so it mounts the file the hook reads). A service that is not running cannot apply a new value, and
     * at its next start it would not either (a database reads its password file only when it initialises), so the
     * rotation is refused rather than left half done. Returns each service's container id.
     */
    public Map<String, String> requireRunning(StackDefinition def, List<Pending> hooks) {
        Map<String, String> containers = new LinkedHashMap<>();
        ContainerEngine e = engine.get();
        for (Pending p : hooks) {
            String service = p.service().name().value();
            if (containers.containsKey(service)) {
                continue;
            }
            String name = ContainerNames.of(def.name(), p.service().name());
            ContainerState c = e.inspectContainer(name).filter(ContainerState::running).orElseThrow(() ->
                    new AixclException.Conflict("service '" + service + "' must apply the new value itself ("
                            + p.describe() + ") but is not running: start it ('aixcl service start " + service
                            + "'), then rotate again. Nothing was changed."));
            String wanted = ContainerSpecs.of(def.name(), p.service(), secretsDir).labels().get(Labels.SPEC_HASH);
            if (!wanted.equals(c.labels().get(Labels.SPEC_HASH))) {
                throw new AixclException.Conflict("service '" + service + "' runs a container made from an older "
                        + "definition, which may not mount the file its on_rotate hook reads: restart it ('aixcl "
                        + "service restart " + service + "'), then rotate again. Nothing was changed.");
            }
            containers.put(service, c.id());
        }
        return containers;
    }

    /**
     * Rewrites each hook service's files of {@code changed} in place, then runs its hooks, in order; stops at the
     * first failure (a file that cannot be rewritten counts as its hook failing). Never throws for a hook: returns
     * what ran, the failure last, so that the caller can undo.
     */
    public List<Ran> apply(String stack, List<Pending> hooks, Map<String, String> containers, Set<String> changed,
                           Consumer<Dtos.Event> events) {
        List<Ran> ran = new ArrayList<>();
        Set<String> rewritten = new LinkedHashSet<>();
        for (Pending p : hooks) {
            Ran r = null;
            if (rewritten.add(p.service().name().value())) {
                r = rewrite(stack, p, changed);
            }
            if (r == null) {
                r = run(p, containers.get(p.service().name().value()));
            }
            ran.add(r);
            events.accept(Dtos.Event.step(p.service().name().value(), "on_rotate", p.ref().name() + ": "
                    + p.hook().program() + (r.ok() ? " succeeded" : " FAILED (" + exit(r) + ")")));
            if (!r.ok()) {
                break;
            }
        }
        return List.copyOf(ran);
    }

    /**
     * After the store has its previous values back: rewrites the files of every service whose files {@code apply}
     * rewrote, and runs again the hooks that had succeeded, so those services accept the previous value again.
     * Returns the hooks run again and the files that could not be rewritten back (a failure among them means a
     * service may keep the new value).
     */
    public List<Ran> undo(String stack, List<Ran> ran, Map<String, String> containers, Set<String> changed,
                          Consumer<Dtos.Event> events) {
        Set<String> rewritten = new LinkedHashSet<>();
        Set<String> stale = new LinkedHashSet<>();
        List<Ran> again = new ArrayList<>();
        for (Ran r : ran) {
            String service = r.pending().service().name().value();
            if (rewritten.add(service)) {
                Ran failed = rewrite(stack, r.pending(), changed);
                if (failed != null) {
                    // Its files may still hold the new value: running its hooks again would apply that one.
                    stale.add(service);
                    again.add(failed);
                }
            }
        }
        for (Ran r : ran) {
            if (r.ok() && !stale.contains(r.pending().service().name().value())) {
                Ran back = run(r.pending(), containers.get(r.pending().service().name().value()));
                again.add(back);
                events.accept(Dtos.Event.step(r.pending().service().name().value(), "reverted", r.pending().ref().name()
                        + ": " + r.pending().hook().program() + (back.ok() ? " re-applied the previous value"
                        : " FAILED to re-apply the previous value (" + exit(back) + ")")));
            }
        }
        return List.copyOf(again);
    }

    /** Rewrites the service's changed files in place; null when done, else the failure, as the hook's outcome. */
    private Ran rewrite(String stack, Pending p, Set<String> changed) {
        try {
            delivery.rewriteForRunning(stack, p.service(), changed);
            return null;
        } catch (RuntimeException e) {
            return new Ran(p, false, -1, shorten(redactor.scrub("its secret files could not be rewritten: "
                    + e.getMessage())));
        }
    }

    private Ran run(Pending p, String containerId) {
        try {
            ExecResult r = engine.get().exec(containerId, p.hook().exec(), p.hook().timeout());
            return new Ran(p, r.ok(), r.exitCode(), shorten(redactor.scrub(r.output())));
        } catch (RuntimeException e) {
            // Did not run, or did not finish in time (then it may have applied the value, or not).
            return new Ran(p, false, -1, shorten(redactor.scrub(e.getMessage())));
        }
    }

    static String exit(Ran r) {
        return r.exitCode() < 0 ? "did not complete" : "exit " + r.exitCode();
    }

    static String shorten(String output) {
        String s = output == null ? "" : output.strip();
        return s.length() <= OUTPUT_LIMIT ? s : "…" + s.substring(s.length() - OUTPUT_LIMIT);
    }
}
