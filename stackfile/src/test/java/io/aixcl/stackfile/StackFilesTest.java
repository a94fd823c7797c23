package io.aixcl.stackfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.aixcl.core.AixclException;
import io.aixcl.core.stack.Dependency;
import io.aixcl.core.stack.HealthCheck;
import io.aixcl.core.stack.Role;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackFilesTest {

    private static List<Problem> problems(String yaml) {
        StackFileException e = catchThrowableOfType(StackFileException.class, () -> StackFiles.load("stack.yaml", yaml));
        assertThat(e).as("expected problems for:\n" + yaml).isNotNull();
        return e.problems();
    }

    private static List<String> messages(String yaml) {
        return problems(yaml).stream().map(Problem::toString).toList();
    }

    private static ServiceSpec service(StackDefinition d, String name) {
        return d.service(ServiceName.of(name));
    }

    @Test
    void minimalFileIsTheCatalog() {
        StackDefinition d = StackFiles.load("stack.yaml", "version: 1\n");
        assertThat(d.name()).isEqualTo("aixcl");
        assertThat(d.defaultProfile()).isEqualTo("usr");
        assertThat(d.services()).isEqualTo(StackFiles.catalog().services());
    }

    @Test
    void userEntryOverridesCatalogServiceFieldByField() {
        StackDefinition d = StackFiles.load("stack.yaml", """
                version: 1
                services:
                  postgres:
                    image: docker.io/library/postgres:17.5
                    environment: { POSTGRES_DB: chat }
                    resources: { memory: 4g }
                """);
        ServiceSpec pg = service(d, "postgres");
        ServiceSpec catalogPg = StackFiles.catalog().service(ServiceName.of("postgres"));
        assertThat(pg.image().value()).isEqualTo("docker.io/library/postgres:17.5");
        assertThat(pg.environment()).containsEntry("POSTGRES_DB", "chat").containsEntry("POSTGRES_USER", "aixcl");
        assertThat(pg.resources().memoryBytes()).isEqualTo(4L << 30);
        assertThat(pg.resources().cpus()).isEqualTo(catalogPg.resources().cpus());
        assertThat(pg.command()).isEqualTo(catalogPg.command());
        assertThat(pg.secrets()).isEqualTo(catalogPg.secrets());
        assertThat(pg.role()).isEqualTo(Role.OPERATIONAL);
    }

    @Test
    void newServiceIsAddedAsOperationalWithDefaults() {
        StackDefinition d = StackFiles.load("stack.yaml", """
                version: 1
                name: lab
                services:
                  searxng:
                    image: docker.io/searxng/searxng:2025.10.1
                    ports: [8888]
                    health: { tcp: 8888, interval: 5s, retries: 5 }
                    depends_on:
                      postgres: { condition: service_started }
                      inference:
                profiles:
                  research:
                    extends: usr
                    services: [searxng]
                default_profile: research
                """);
        ServiceSpec s = service(d, "searxng");
        assertThat(d.name()).isEqualTo("lab");
        assertThat(d.defaultProfile()).isEqualTo("research");
        assertThat(d.profile("research").services()).extracting(ServiceName::value)
                .containsExactly("inference", "postgres", "searxng");
        assertThat(s.role()).isEqualTo(Role.OPERATIONAL);
        assertThat(s.restart().wireName()).isEqualTo("unless-stopped");
        assertThat(s.init()).isTrue();
        assertThat(s.health()).get().satisfies(h -> {
            assertThat(h.probe()).isEqualTo(new HealthCheck.Tcp("127.0.0.1", 8888));
            assertThat(h.interval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(h.retries()).isEqualTo(5);
        });
        assertThat(s.dependsOn()).containsExactly(
                new Dependency(ServiceName.of("postgres"), Dependency.Condition.STARTED),
                new Dependency(ServiceName.of("inference"), Dependency.Condition.HEALTHY));
    }

    @Test
    void runtimeSelectsTheEngineOfTheRuntimeCore() {
        LoadedStack s = StackFiles.loadStack("stack.yaml", "version: 1\nruntime: vllm\n");
        assertThat(s.runtime()).isEqualTo(RuntimeEngine.VLLM);
        assertThat(service(s.definition(), "inference").image().value()).startsWith("docker.io/vllm/vllm-openai:");
    }

    @Test
    void userProfileReplacesCatalogProfileOfTheSameName() {
        StackDefinition d = StackFiles.load("stack.yaml", """
                version: 1
                profiles:
                  dev: { services: [inference, open-webui] }
                """);
        assertThat(d.profile("dev").services()).extracting(ServiceName::value).containsExactly("inference", "open-webui");
    }

    @Test
    void unknownKeyIsReportedWithLineAndSuggestion() {
        assertThat(messages("""
                version: 1
                services:
                  postgres:
                    imgae: docker.io/library/postgres:17.5
                """)).containsExactly("stack.yaml:4:5: services.postgres.imgae: unknown key (did you mean 'image'?); "
                + "expected one of: " + String.join(", ", ServiceReader.KEYS));
    }

    @Test
    void unknownTopLevelKeyIsSuggested() {
        assertThat(messages("version: 1\nservice: {}\n")).singleElement().asString()
                .startsWith("stack.yaml:2:1: service: unknown key (did you mean 'services'?)");
    }

    @Test
    void everyProblemIsCollectedNotOnlyTheFirst() {
        List<Problem> p = problems("""
                version: 1
                services:
                  web:
                    image: nginx
                    ports: [70000]
                    read_only: yes
                    restart: sometimes
                """);
        assertThat(p).extracting(Problem::field).containsExactly("services.web.image", "services.web.ports[0]",
                "services.web.read_only", "services.web.restart");
        assertThat(p).extracting(Problem::line).containsExactly(4, 5, 6, 7);
        assertThat(catchThrowableOfType(StackFileException.class, () -> StackFiles.load("stack.yaml", """
                version: 1
                services:
                  web:
                    image: nginx
                    ports: [70000]
                """))).isInstanceOf(AixclException.InvalidInput.class).hasMessageStartingWith("2 problems:\n  stack.yaml:4:12:");
    }

    @Test
    void badServiceNameIsRejected() {
        assertThat(messages("version: 1\nservices:\n  Web_1: { image: 'a/b:1' }\n")).singleElement().asString()
                .startsWith("stack.yaml:3:3: services.Web_1: invalid service name 'Web_1'");
    }

    @Test
    void wrongTypesSayWhatWasExpectedAndFound() {
        assertThat(messages("""
                version: 1
                services:
                  postgres:
                    command: postgres -c fsync=off
                    environment: [A=1]
                    ports: 5432
                    init: 1
                """)).containsExactly(
                "stack.yaml:4:14: services.postgres.command: expected a list of arguments (there is no shell to split "
                        + "a string), found 'postgres -c fsync=off'",
                "stack.yaml:5:18: services.postgres.environment: expected a mapping, found a list",
                "stack.yaml:6:12: services.postgres.ports: expected a list, found '5432'",
                "stack.yaml:7:11: services.postgres.init: expected true or false, found '1'");
    }

    @Test
    void unknownDependencyIsReportedWhereItIsNamed() {
        assertThat(messages("""
                version: 1
                services:
                  open-webui:
                    depends_on: [inference, postgress]
                """)).containsExactly("stack.yaml:4:29: services.open-webui.depends_on: unknown service 'postgress' "
                + "(did you mean 'postgres'?)");
    }

    @Test
    void dependencyCycleIsPrinted() {
        assertThat(messages("""
                version: 1
                services:
                  a: { image: 'docker.io/x/a:1', depends_on: [b] }
                  b: { image: 'docker.io/x/b:1', depends_on: [c] }
                  c: { image: 'docker.io/x/c:1', depends_on: [a] }
                """)).singleElement().asString().contains("dependency cycle: a -> b -> c -> a");
    }

    @Test
    void unpinnedImagesAreRefused() {
        assertThat(messages("""
                version: 1
                services:
                  postgres: { image: 'docker.io/library/postgres:latest' }
                  grafana: { image: 'docker.io/grafana/grafana' }
                  loki: { image: 'Docker.io/Grafana/Loki:3' }
                """)).containsExactly(
                "stack.yaml:3:22: services.postgres.image: invalid image reference 'docker.io/library/postgres:latest': "
                        + "'latest' is not a version: pin an exact tag or a digest",
                "stack.yaml:4:21: services.grafana.image: invalid image reference 'docker.io/grafana/grafana': "
                        + "no tag or digest: pin an exact version (for example name:1.2.3)",
                "stack.yaml:5:18: services.loki.image: invalid image reference 'Docker.io/Grafana/Loki:3': "
                        + "expected [registry/]name:tag or name@sha256:digest in lowercase");
    }

    @Test
    void volumesMustBeNamedVolumesAtAbsolutePaths() {
        List<String> m = messages("""
                version: 1
                services:
                  postgres:
                    volumes:
                      - /etc:/x
                      - ./data:/x
                      - ..:/x
                      - ~/data:/x
                      - data:relative/path
                      - data:/a/../b
                      - data:/y:rx
                      - data
                      - Data:/z
                """);
        assertThat(m).hasSize(9);
        assertThat(m.get(0)).isEqualTo("stack.yaml:5:9: services.postgres.volumes[0]: '/etc' is a host path: bind "
                + "mounts are not offered, use a named volume (for example data:/var/lib/data)");
        assertThat(m.subList(1, 4)).allMatch(s -> s.contains("is a host path"));
        assertThat(m.get(4)).contains("volumes[4]: container path 'relative/path' must be absolute");
        assertThat(m.get(5)).contains("volumes[5]: container path '/a/../b' must be absolute (start with '/') "
                + "and must not contain '..'");
        assertThat(m.get(6)).contains("expected mode 'ro' or 'rw', found 'rx'");
        assertThat(m.get(7)).contains("expected 'volume:/container/path'");
        assertThat(m.get(8)).contains("invalid volume name 'Data'");
    }

    @Test
    void badUnitsAreRefusedWithTheExpectedForm() {
        assertThat(messages("""
                version: 1
                services:
                  postgres:
                    resources: { memory: 12q, cpus: -1, pids: lots }
                    stop_timeout: 5 seconds
                    health: { interval: 1 minute }
                """)).containsExactly(
                "stack.yaml:4:26: services.postgres.resources.memory: expected a size like 512m or 2g (units k, m, g, t), found '12q'",
                "stack.yaml:4:37: services.postgres.resources.cpus: expected a number of CPUs from 0 (unlimited) to 1024, found '-1'",
                "stack.yaml:4:47: services.postgres.resources.pids: expected a whole number from 0 to 4194304, found 'lots'",
                "stack.yaml:5:19: services.postgres.stop_timeout: expected a duration like 500ms, 10s, 1m30s or 1h, found '5 seconds'",
                "stack.yaml:6:25: services.postgres.health.interval: expected a duration like 500ms, 10s, 1m30s or 1h, found '1 minute'");
    }

    @Test
    void portsOutOfRangeOrSharedInAProfileAreRefused() {
        assertThat(messages("""
                version: 1
                services:
                  web:
                    image: docker.io/library/nginx:1.29.1
                    ports: [0, 8080]
                    health: { http: 'http://127.0.0.1:8080/' }
                profiles:
                  dev: { extends: usr, services: [open-webui, web] }
                """)).containsExactly(
                "stack.yaml:5:5: services.web.ports: port 8080 is also used by 'open-webui' in profile 'dev': services "
                        + "share the host network, so each port has one listener",
                "stack.yaml:5:13: services.web.ports[0]: expected a whole number from 1 to 65535, found 0");
    }

    @Test
    void portUsedTwiceInOneServiceIsRefused() {
        assertThat(messages("version: 1\nservices:\n  postgres: { ports: [5432, 5432] }\n")).singleElement().asString()
                .endsWith("services.postgres.ports[1]: port 5432 is listed twice");
    }

    @Test
    void profileWithoutTheRuntimeCoreIsRefused() {
        assertThat(messages("""
                version: 1
                profiles:
                  db: { services: [postgres] }
                """)).containsExactly("stack.yaml:3:3: profiles.db: the runtime core 'inference' is in every profile: add "
                + "it to services (or extend a profile that has it)");
    }

    @Test
    void profileNamingAnUnknownServiceOrProfileIsRefused() {
        assertThat(messages("""
                version: 1
                profiles:
                  mine: { extends: devv, services: [inference, grafanna] }
                """)).containsExactly(
                "stack.yaml:3:20: profiles.mine.extends: unknown profile 'devv' (did you mean 'dev'?)",
                "stack.yaml:3:48: profiles.mine.services: unknown service 'grafanna' (did you mean 'grafana'?)");
    }

    @Test
    void profileExtendsCycleIsPrinted() {
        assertThat(messages("""
                version: 1
                profiles:
                  a: { extends: b, services: [inference] }
                  b: { extends: a }
                """)).anySatisfy(m -> assertThat(m).contains("profile cycle: a -> b -> a"));
    }

    @Test
    void runtimeCoreDeclaringDependenciesIsRefused() {
        assertThat(messages("""
                version: 1
                services:
                  inference:
                    depends_on: [postgres]
                """)).containsExactly("stack.yaml:4:5: services.inference.depends_on: the runtime core never depends on "
                + "an operational service, so that inference works whatever else is down");
    }

    @Test
    void roleCannotBeSetInAUserFile() {
        assertThat(messages("version: 1\nservices:\n  postgres: { role: runtime-core }\n")).singleElement().asString()
                .contains("role is set by the catalog only");
    }

    @Test
    void defaultProfileMustExist() {
        assertThat(messages("version: 1\ndefault_profile: devv\n")).containsExactly("stack.yaml:2:18: default_profile: "
                + "no profile named 'devv' (did you mean 'dev'?); known profiles: usr, dev, ops, sys");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThat(messages("""
                version: 1
                services:
                  postgres:
                    image: docker.io/library/postgres:17.5
                    image: docker.io/library/postgres:17.4
                """)).containsExactly("stack.yaml:5:5: services.postgres.image: duplicate key (first defined at line 4)");
    }

    @Test
    void emptyOrNonMappingDocumentsAreRefused() {
        assertThat(messages("")).singleElement().asString().startsWith("stack.yaml:1:1: empty document");
        assertThat(messages("# only a comment\n")).singleElement().asString().contains("empty document");
        assertThat(messages("- a\n- b\n")).containsExactly("stack.yaml:1:1: expected a mapping at the top level, "
                + "found a list");
        assertThat(messages("just text")).singleElement().asString().contains("found 'just text'");
    }

    @Test
    void missingOrWrongVersionIsRefused() {
        assertThat(messages("name: x\n")).containsExactly("stack.yaml:1:1: version: missing: start the file with "
                + "'version: 1'");
        assertThat(messages("version: 2\n")).containsExactly("stack.yaml:1:10: version: unsupported version '2': "
                + "expected 1");
    }

    @Test
    void fileLargerThanOneMebibyteIsRefused(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("stack.yaml");
        Files.writeString(big, "version: 1\n# " + "x".repeat(YamlSource.MAX_BYTES) + "\n");
        assertThatThrownBy(() -> StackFiles.load(big)).isInstanceOf(StackFileException.class)
                .hasMessageContaining(big + ":1:1: file is larger than 1048576 bytes");
    }

    @Test
    void missingFileIsAProblemNotAnIoException(@TempDir Path dir) {
        assertThatThrownBy(() -> StackFiles.load(dir.resolve("absent.yaml"))).isInstanceOf(StackFileException.class)
                .hasMessageContaining("absent.yaml:1:1: no such file");
    }

    @Test
    void loadsFromAFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("stack.yaml");
        Files.writeString(f, "version: 1\ndefault_profile: dev\n");
        assertThat(StackFiles.load(f).defaultProfile()).isEqualTo("dev");
    }

    @Test
    void yamlSyntaxErrorsHaveLineAndColumn() {
        assertThat(messages("version: 1\nservices:\n  postgres: {image: x\n")).singleElement().satisfies(m ->
                assertThat(m).startsWith("stack.yaml:4:1: YAML syntax error:"));
        assertThat(messages("version: 1\n  bad: indent\n")).singleElement().asString()
                .matches("stack\\.yaml:2:\\d+: YAML syntax error: .*");
        assertThat(messages("version: 1\nservices: [\n")).singleElement().asString().contains("YAML syntax error");
    }

    @Test
    void anchorsAndAliasesAreRefused() {
        String bomb = """
                version: 1
                a: &a ["x","x","x","x","x","x","x","x","x"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                """;
        List<String> m = messages(bomb);
        assertThat(m).first().asString().isEqualTo("stack.yaml:2:4: anchors (&name) are not supported: write the value out");
        assertThat(m).anySatisfy(s -> assertThat(s).startsWith("stack.yaml:3:8: aliases (*name) are not supported"));
    }

    @Test
    void deepNestingIsRefusedBeforeComposing() {
        String deep = "version: 1\nx: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";
        assertThat(messages(deep)).singleElement().asString()
                .isEqualTo("stack.yaml:2:" + (4 + YamlSource.MAX_DEPTH - 1) + ": nested deeper than 32 levels");
    }

    @Test
    void hugeValuesAreRefused() {
        String huge = "version: 1\nname: " + "a".repeat(YamlSource.MAX_SCALAR_CHARS + 1) + "\n";
        assertThat(messages(huge)).singleElement().asString()
                .isEqualTo("stack.yaml:2:7: value is longer than 16384 characters");
    }

    @Test
    void explicitTagsAreRefused() {
        assertThat(messages("version: 1\nname: !!python/object:os.system x\n")).singleElement().asString()
                .contains("explicit tags");
    }

    @Test
    void secretValuesInTheEnvironmentAreRefused() {
        assertThat(messages("""
                version: 1
                services:
                  grafana:
                    environment: { GF_SECURITY_ADMIN_PASSWORD: hunter2 }
                """)).singleElement().asString().isEqualTo("stack.yaml:4:20: services.grafana.environment."
                + "GF_SECURITY_ADMIN_PASSWORD: looks like a secret: declare it under 'secrets' (name, file_env) so the "
                + "value is handed over as a file, never as an environment value");
    }

    @Test
    void healthProbeMustBeOneLoopbackProbe() {
        assertThat(messages("""
                version: 1
                services:
                  a:
                    image: docker.io/x/a:1
                    health: { http: 'http://10.0.0.1/', tcp: 80 }
                  b:
                    image: docker.io/x/b:1
                    health: { http: 'http://example.com/' }
                  c:
                    image: docker.io/x/c:1
                    health: { interval: 5s }
                  d:
                    image: docker.io/x/d:1
                    health: { command: 'curl -f localhost' }
                """)).containsExactly(
                "stack.yaml:5:13: services.a.health: expected one probe, found http and tcp",
                "stack.yaml:8:21: services.b.health.http: health probes reach the service on loopback: expected host "
                        + "127.0.0.1, found 'example.com'",
                "stack.yaml:11:5: services.c.health: expected one probe: http, tcp or command",
                "stack.yaml:14:24: services.d.health.command: expected a list of arguments (there is no shell to "
                        + "split a string), found 'curl -f localhost'");
    }

    @Test
    void newServiceWithoutImageIsRefused() {
        assertThat(messages("version: 1\nservices:\n  web: { ports: [81] }\n")).containsExactly(
                "stack.yaml:3:8: services.web.image: missing: every service needs a pinned image");
    }

    @Test
    void capAddAllIsRefusedAndCapPrefixIsDropped() {
        assertThat(messages("version: 1\nservices:\n  postgres: { cap_add: [ALL] }\n")).singleElement().asString()
                .contains("ALL would make the container as powerful as a privileged one");
        StackDefinition d = StackFiles.load("s", "version: 1\nservices:\n  postgres: { cap_add: [CAP_CHOWN, net_raw] }\n");
        assertThat(service(d, "postgres").capAdd()).containsExactly("CHOWN", "NET_RAW");
    }

    @Test
    void runtimesBelongToTheCatalog() {
        assertThat(messages("version: 1\nruntime: olama\nruntimes: {}\n")).containsExactly(
                "stack.yaml:2:10: runtime: unknown runtime 'olama' (did you mean 'ollama'?); expected one of: ollama, "
                        + "llamacpp, vllm",
                "stack.yaml:3:1: runtimes: runtimes are defined by the catalog: choose one with 'runtime:' and adjust "
                        + "it under 'services: {inference: ...}'");
    }

    @Test
    void unknownEngineApiOperationIsSuggested() {
        assertThat(messages("version: 1\nservices:\n  alloy: { engine_api: [containers.log] }\n")).singleElement()
                .asString().contains("unknown engine API operation 'containers.log' (did you mean 'containers.logs'?)");
    }
}
