package io.aixcl.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.stack.Dependency;
import io.aixcl.core.stack.Profile;
import io.aixcl.core.stack.Role;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private static ServiceSpec svc(String name, String... deps) {
        return ServiceSpec.minimal(name, Role.OPERATIONAL, "localhost/x:1").withDependsOn(
                java.util.Arrays.stream(deps).map(d -> new Dependency(ServiceName.of(d), Dependency.Condition.HEALTHY))
                        .toList());
    }

    private static StackDefinition def(List<String> profile, ServiceSpec... services) {
        Map<ServiceName, ServiceSpec> m = new LinkedHashMap<>();
        for (ServiceSpec s : services) {
            m.put(s.name(), s);
        }
        return new StackDefinition("s", m,
                Map.of("p", new Profile("p", "", profile.stream().map(ServiceName::of).toList())), "p");
    }

    @Test
    void servicesAreLeveledByLongestDependencyPath() {
        StackPlan plan = new Planner().plan(def(List.of("a", "b", "c", "d"), svc("a"), svc("b", "a"), svc("c", "a"),
                svc("d", "b", "c")), "p");
        assertThat(plan.levels()).extracting(l -> l.stream().map(s -> s.name().value()).toList())
                .containsExactly(List.of("a"), List.of("b", "c"), List.of("d"));
    }

    @Test
    void dependenciesOutsideTheProfileArePulledInAndReported() {
        StackPlan plan = new Planner().plan(def(List.of("b"), svc("a"), svc("b", "a")), "p");
        assertThat(plan.services()).extracting(s -> s.name().value()).containsExactly("a", "b");
        assertThat(plan.addedAsDependencies()).containsExactly(ServiceName.of("a"));
    }

    @Test
    void cycleIsReportedWithItsPath() {
        assertThatThrownBy(() -> new Planner().plan(def(List.of("a"), svc("a", "b"), svc("b", "a")), "p"))
                .isInstanceOf(AixclException.InvalidInput.class).hasMessageContaining("a -> b -> a");
    }

    @Test
    void unknownProfileListsTheKnownOnes() {
        assertThatThrownBy(() -> new Planner().plan(def(List.of("a"), svc("a")), "nope"))
                .isInstanceOf(AixclException.NotFound.class).hasMessageContaining("known profiles are p");
    }

    @Test
    void specHashChangesWithTheSpecAndOnlyThen() {
        ServiceSpec a = svc("a");
        String h1 = ContainerSpecs.of("s", a, Path.of("/x")).labels().get(Labels.SPEC_HASH);
        String h2 = ContainerSpecs.of("s", a, Path.of("/x")).labels().get(Labels.SPEC_HASH);
        String h3 = ContainerSpecs.of("s", a.withEnvironment(Map.of("K", "V")), Path.of("/x")).labels()
                .get(Labels.SPEC_HASH);
        assertThat(h1).isEqualTo(h2).isNotEqualTo(h3);
    }

    @Test
    void secretsBecomeReadOnlyFilesAndFileVariablesNeverValues() {
        ServiceSpec s = new ServiceSpec(ServiceName.of("db"), Role.OPERATIONAL, "", new io.aixcl.core.stack.ImageRef(
                "localhost/x:1"), List.of(), Map.of(), List.of(new io.aixcl.core.stack.SecretRef("pg-password",
                "POSTGRES_PASSWORD_FILE")), List.of(), List.of(), List.of(), java.util.Optional.empty(), List.of(),
                io.aixcl.core.stack.Resources.UNLIMITED, io.aixcl.core.stack.RestartPolicy.NO, List.of(), true,
                java.util.Optional.empty(), ServiceSpec.DEFAULT_STOP_TIMEOUT, java.util.Optional.empty(), true);
        var spec = ContainerSpecs.of("s", s, Path.of("/run/aixcl/secrets"));
        assertThat(spec.environment()).containsEntry("POSTGRES_PASSWORD_FILE", "/run/secrets/pg-password");
        assertThat(spec.mounts()).containsExactly(new io.aixcl.core.engine.ContainerSpec.SecretFileMount(
                "/run/aixcl/secrets/s-db/pg-password", "/run/secrets/pg-password"));
    }
}
