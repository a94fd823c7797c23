package io.aixcl.stackfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.plan.Planner;
import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.stack.ImageRef;
import io.aixcl.core.stack.Role;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CatalogTest {
    private final StackDefinition catalog = StackFiles.catalog();

    @Test
    void profilesAreExactlyTheFoundingOnes() {
        assertThat(catalog.defaultProfile()).isEqualTo("usr");
        assertThat(members("usr")).containsExactlyInAnyOrder("inference", "postgres");
        assertThat(members("dev")).containsExactlyInAnyOrder("inference", "postgres", "open-webui", "pgadmin");
        assertThat(members("ops")).containsExactlyInAnyOrder("inference", "postgres", "prometheus", "grafana", "loki",
                "alloy", "node-exporter", "cadvisor", "postgres-exporter");
        assertThat(members("sys")).containsExactlyInAnyOrder("inference", "postgres", "open-webui", "pgadmin",
                "prometheus", "grafana", "loki", "alloy", "node-exporter", "cadvisor", "postgres-exporter", "updater");
    }

    @ParameterizedTest
    @ValueSource(strings = {"usr", "dev", "ops", "sys"})
    void everyProfilePlansWithoutPullingInOtherServices(String profile) {
        StackPlan plan = new Planner().plan(catalog, profile);
        assertThat(plan.addedAsDependencies()).isEmpty();
        assertThat(plan.levelOf(ServiceName.of("inference"))).isZero();
        assertThat(plan.services()).hasSize(members(profile).size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ollama", "llamacpp", "vllm"})
    void everyRuntimeIsThePinnedRuntimeCoreOfEveryProfile(String runtime) {
        LoadedStack stack = StackFiles.loadStack("runtime.yaml", "version: 1\nruntime: " + runtime + "\n");
        ServiceSpec core = stack.definition().service(ServiceName.of("inference"));
        assertThat(stack.runtime().wireName()).isEqualTo(runtime);
        assertThat(core.role()).isEqualTo(Role.RUNTIME_CORE);
        assertThat(core.dependsOn()).isEmpty();
        assertThat(ImageRef.problem(core.image().value())).isNull();
        // 11435 upstream: the gateway owns Ollama's well-known 11434 in front of it.
        assertThat(core.ports()).containsExactly(11435);
        assertThat(stack.definition().profiles().values())
                .allSatisfy(p -> assertThat(p.services()).contains(ServiceName.of("inference")));
        assertThat(listenerSettings(core)).noneMatch(CatalogTest::bindsAllInterfaces);
    }

    @Test
    void everyImageIsPinnedToAnExactVersion() {
        assertThat(catalog.services().values()).allSatisfy(s -> {
            assertThat(ImageRef.problem(s.image().value())).as(s.name().value()).isNull();
            assertThat(s.image().value()).as(s.name().value()).doesNotContain(":latest").containsPattern(":v?\\d|:server-b\\d");
        });
    }

    @Test
    void everyServiceBindsLoopbackAndDeclaresPortsOrNoListener() {
        for (ServiceSpec s : catalog.services().values()) {
            assertThat(listenerSettings(s)).as(s.name().value()).noneMatch(CatalogTest::bindsAllInterfaces);
            if (!s.name().value().equals("updater")) {
                assertThat(s.ports()).as(s.name().value()).isNotEmpty();
                assertThat(String.join(" ", listenerSettings(s))).as(s.name().value()).contains("127.0.0.1");
            }
        }
    }

    @Test
    void everyServiceHasAHealthCheckResourcesAndRestartsUnlessStopped() {
        assertThat(catalog.services().values()).allSatisfy(s -> {
            assertThat(s.health()).as(s.name().value()).isPresent();
            assertThat(s.restart().wireName()).as(s.name().value()).isEqualTo("unless-stopped");
            assertThat(s.resources().pids()).as(s.name().value()).isPositive();
        });
    }

    @Test
    void secretsAreFilesAndNeverEnvironmentValues() {
        assertThat(fileEnvs("postgres")).containsExactly("POSTGRES_PASSWORD_FILE");
        assertThat(fileEnvs("pgadmin")).containsExactly("PGADMIN_DEFAULT_PASSWORD_FILE");
        assertThat(fileEnvs("grafana")).containsExactly("GF_SECURITY_ADMIN_PASSWORD__FILE");
        assertThat(fileEnvs("open-webui")).contains("WEBUI_SECRET_KEY_FILE");
        assertThat(fileEnvs("postgres-exporter")).containsExactly("DATA_SOURCE_PASS_FILE");
        assertThat(service("open-webui").environment()).containsEntry("ENABLE_SIGNUP", "false");
        assertThat(catalog.services().values()).allSatisfy(s -> assertThat(s.environment().keySet())
                .noneMatch(k -> k.matches("(?i).*(PASSWORD|SECRET|TOKEN)")));
        assertThat(catalog.services().values()).allSatisfy(s -> assertThat(s.environment().values())
                .noneMatch(v -> v.matches(".*://[^/@]*:[^/@]*@.*")));
    }

    @Test
    void onlyServicesThatNeedTheEngineApiDeclareItAndNoneMountsTheSocket() {
        LoadedStack stack = StackFiles.catalogStack();
        assertThat(stack.engineApi().keySet()).extracting(ServiceName::value)
                .containsExactlyInAnyOrder("alloy", "cadvisor", "updater");
        assertThat(stack.engineApi(ServiceName.of("alloy"))).contains(EngineApiOperation.CONTAINERS_LOGS);
        assertThat(stack.engineApi(ServiceName.of("updater"))).contains(EngineApiOperation.IMAGES_PULL);
        assertThat(catalog.services().values()).allSatisfy(s -> assertThat(s.volumes())
                .noneMatch(v -> v.containerPath().contains(".sock")));
    }

    @Test
    void dependenciesFollowTheFoundingDocuments() {
        assertThat(dependencies("open-webui")).containsExactlyInAnyOrder("inference", "postgres");
        assertThat(dependencies("grafana")).containsExactlyInAnyOrder("prometheus", "loki");
        assertThat(dependencies("postgres-exporter")).containsExactly("postgres");
        assertThat(dependencies("inference")).isEmpty();
    }

    @Test
    void noServiceRunsPrivilegedCapabilitiesAndMostRunReadOnly() {
        assertThat(catalog.services().values()).allSatisfy(s -> assertThat(s.capAdd()).isEmpty());
        long readOnly = catalog.services().values().stream().filter(ServiceSpec::readOnlyRootfs).count();
        assertThat(readOnly).isGreaterThanOrEqualTo(catalog.services().size() - 3);
    }

    private static boolean bindsAllInterfaces(String s) {
        return s.contains("0.0.0.0") || s.contains("[::]") || s.matches(".*(^|[=\\s])::($|[:\\s]).*");
    }

    private static List<String> listenerSettings(ServiceSpec s) {
        return Stream.concat(s.command().stream(),
                s.environment().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())).toList();
    }

    private List<String> members(String profile) {
        return catalog.profile(profile).services().stream().map(ServiceName::value).toList();
    }

    private ServiceSpec service(String name) {
        return catalog.service(ServiceName.of(name));
    }

    private List<String> fileEnvs(String name) {
        return service(name).secrets().stream().flatMap(s -> s.fileEnv().stream()).filter(e -> !e.equals("PGPASSFILE"))
                .toList();
    }

    private List<String> dependencies(String name) {
        return service(name).dependsOn().stream().map(d -> d.service().value()).toList();
    }

}
