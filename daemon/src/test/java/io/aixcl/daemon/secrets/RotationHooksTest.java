package io.aixcl.daemon.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.api.Dtos;
import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ContainerSpec;
import io.aixcl.core.engine.ExecResult;
import io.aixcl.core.engine.FakeContainerEngine;
import io.aixcl.core.plan.ContainerSpecs;
import io.aixcl.core.secrets.Redactor;
import io.aixcl.core.secrets.SecretDelivery;
import io.aixcl.core.secrets.SecretPolicies;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import io.aixcl.stackfile.StackFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RotationHooksTest {
    private static final Path SECRETS_DIR = Path.of("/run/aixcl-test/secrets");
    private static final String IMAGE = "localhost/db:1";
    private static final StackDefinition DEF = StackFiles.load("stack.yaml", """
            version: 1
            name: st
            services:
              db:
                image: localhost/db:1
                secrets:
                  - { name: db-password, file_env: DB_PASSWORD_FILE }
                  - { name: db-sql, on_rotate: { exec: [apply, /run/secrets/db-sql], timeout: 5s } }
              cache:
                image: localhost/db:1
                secrets:
                  - { name: cache-sql, on_rotate: { exec: [reload] } }
              app:
                image: localhost/db:1
                secrets: [{ name: db-password, file_env: DB_PASSWORD_FILE }]
            secrets:
              db-sql: { template: "set ${db-password}" }
              cache-sql: { template: "${db-password}" }
            profiles:
              all: { services: [inference, db, cache, app] }
            """);

    /** Exec answers scripted in order; every exec recorded. */
    private static final class ScriptedEngine extends FakeContainerEngine {
        final Deque<ExecResult> answers = new ArrayDeque<>();
        final List<String> execs = new ArrayList<>();

        @Override
        public ExecResult exec(String id, List<String> argv, Duration timeout) {
            super.exec(id, argv, timeout);
            execs.add(id + " " + String.join(" ", argv) + " " + timeout.toSeconds() + "s");
            return answers.isEmpty() ? new ExecResult(0, "") : answers.removeFirst();
        }
    }

    private final ScriptedEngine engine = new ScriptedEngine();
    private final List<String> rewrites = new ArrayList<>();
    private final Set<String> unwritable = new java.util.HashSet<>();
    private final List<Dtos.Event> events = new ArrayList<>();
    private final Redactor redactor = new Redactor();
    private final RotationHooks hooks = new RotationHooks(() -> engine, new SecretDelivery() {
        @Override
        public void deliver(String stack, List<ServiceSpec> services, SecretPolicies policies) {}

        @Override
        public void withdraw(String stack, List<ServiceSpec> services) {}

        @Override
        public void rewriteForRunning(String stack, ServiceSpec service, Set<String> secrets) {
            if (unwritable.contains(service.name().value())) {
                throw new AixclException.Failed("podman unshare cp failed (exit 125)", null);
            }
            rewrites.add(stack + "/" + service.name() + " " + secrets.stream().sorted().toList());
        }
    }, SECRETS_DIR, redactor);

    private String run(ContainerSpec spec) {
        engine.localImages.add(IMAGE);
        String id = engine.createContainer(spec);
        engine.startContainer(id);
        return id;
    }

    private String run(String service) {
        return run(ContainerSpecs.of("st", DEF.service(ServiceName.of(service)), SECRETS_DIR));
    }

    @Test
    void hooksAreThoseOfTheChangedSecretsInDeclarationOrder() {
        assertThat(RotationHooks.triggeredBy(DEF, Set.of("db-password", "db-sql", "cache-sql")))
                .extracting(p -> p.service().name().value() + "/" + p.ref().name())
                .containsExactly("db/db-sql", "cache/cache-sql");
        assertThat(RotationHooks.triggeredBy(DEF, Set.of("db-password"))).isEmpty();
    }

    @Test
    void aHookServiceThatIsNotRunningOrIsOutOfDateRefusesTheRotationBeforeAnythingChanges() {
        var pending = RotationHooks.triggeredBy(DEF, Set.of("db-sql"));
        assertThatThrownBy(() -> hooks.requireRunning(DEF, pending)).isInstanceOf(AixclException.Conflict.class)
                .hasMessageContaining("service 'db' must apply the new value itself (on_rotate of secret 'db-sql' in "
                        + "service 'db' (apply)) but is not running: start it ('aixcl service start db')")
                .hasMessageEndingWith("Nothing was changed.");

        ContainerSpec current = ContainerSpecs.of("st", DEF.service(ServiceName.of("db")), SECRETS_DIR);
        Map<String, String> olderLabels = new java.util.HashMap<>(current.labels());
        olderLabels.put(io.aixcl.core.plan.Labels.SPEC_HASH, "0123456789ab");
        run(new ContainerSpec(current.name(), current.image(), current.command(), current.environment(),
                olderLabels, current.mounts(), current.tmpfs(), current.hostNetwork(),
                current.publishedLoopbackPorts(), current.cpus(), current.memoryBytes(), current.pids(),
                current.capAdd(), current.readOnlyRootfs(), current.user(), current.restartPolicy(),
                current.restartMaxRetries(), current.init(), current.stopSignal(), current.stopTimeout()));
        assertThatThrownBy(() -> hooks.requireRunning(DEF, pending)).isInstanceOf(AixclException.Conflict.class)
                .hasMessageContaining("runs a container made from an older definition")
                .hasMessageContaining("aixcl service restart db");
    }

    @Test
    void filesAreRewrittenBeforeEachServicesHooksRunAndTheFirstFailureStopsTheRest() {
        String db = run("db");
        run("cache");
        redactor.learn("the-new-value-123".toCharArray());
        engine.answers.add(new ExecResult(3, "ERROR: cannot apply the-new-value-123\n"));
        var pending = RotationHooks.triggeredBy(DEF, Set.of("db-sql", "cache-sql"));
        Map<String, String> containers = hooks.requireRunning(DEF, pending);

        List<RotationHooks.Ran> ran = hooks.apply("st", pending, containers, Set.of("db-password", "db-sql",
                "cache-sql"), events::add);

        assertThat(rewrites).containsExactly("st/db [cache-sql, db-password, db-sql]");
        assertThat(engine.execs).containsExactly(db + " apply /run/secrets/db-sql 5s");
        assertThat(ran).hasSize(1);
        assertThat(ran.getFirst().ok()).isFalse();
        assertThat(ran.getFirst().exitCode()).isEqualTo(3);
        assertThat(ran.getFirst().output()).isEqualTo("ERROR: cannot apply [REDACTED]");
        assertThat(events).extracting(Dtos.Event::detail).containsExactly("db-sql: apply FAILED (exit 3)");
    }

    @Test
    void undoRewritesEveryTouchedServiceAndRunsAgainOnlyTheHooksThatHadSucceeded() {
        String db = run("db");
        run("cache");
        engine.answers.add(new ExecResult(0, ""));
        engine.answers.add(new ExecResult(1, "no"));
        var pending = RotationHooks.triggeredBy(DEF, Set.of("db-sql", "cache-sql"));
        Map<String, String> containers = hooks.requireRunning(DEF, pending);
        Set<String> changed = Set.of("db-sql", "cache-sql");
        List<RotationHooks.Ran> ran = hooks.apply("st", pending, containers, changed, events::add);
        rewrites.clear();
        engine.execs.clear();

        List<RotationHooks.Ran> again = hooks.undo("st", ran, containers, changed, events::add);

        assertThat(rewrites).containsExactly("st/db [cache-sql, db-sql]", "st/cache [cache-sql, db-sql]");
        assertThat(engine.execs).containsExactly(db + " apply /run/secrets/db-sql 5s");
        assertThat(again).extracting(RotationHooks.Ran::ok).containsExactly(true);
        assertThat(events.getLast().detail()).isEqualTo("db-sql: apply re-applied the previous value");
    }

    @Test
    void aFileThatCannotBeRewrittenFailsItsHookWithoutRunningItAndIsNotReappliedOnUndo() {
        String db = run("db");
        run("cache");
        unwritable.add("cache");
        var pending = RotationHooks.triggeredBy(DEF, Set.of("db-sql", "cache-sql"));
        Map<String, String> containers = hooks.requireRunning(DEF, pending);
        Set<String> changed = Set.of("db-sql", "cache-sql");

        List<RotationHooks.Ran> ran = hooks.apply("st", pending, containers, changed, events::add);

        assertThat(ran).extracting(RotationHooks.Ran::ok).containsExactly(true, false);
        assertThat(ran.getLast().output()).isEqualTo("its secret files could not be rewritten: podman unshare cp "
                + "failed (exit 125)");
        assertThat(engine.execs).containsExactly(db + " apply /run/secrets/db-sql 5s");
        engine.execs.clear();
        unwritable.add("db");

        List<RotationHooks.Ran> again = hooks.undo("st", ran, containers, changed, events::add);

        assertThat(engine.execs).as("db's file may still hold the new value: its hook must not apply it").isEmpty();
        assertThat(again).extracting(r -> r.pending().service().name().value() + " " + r.ok())
                .containsExactly("db false", "cache false");
    }
}
