package io.aixcl.stackfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.plan.Planner;
import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.stack.StackDefinition;
import io.aixcl.stackfile.ComposeExport.Networking;
import io.aixcl.stackfile.ComposeExport.Options;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class ComposeExportTest {
    private static final Path SECRETS = Path.of("/run/user/1000/aixcl/secrets/aixcl");

    static StackPlan plan(String profile) {
        return new Planner().plan(StackFiles.catalog(), profile);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String yaml) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(Map<String, Object> compose, String name) {
        return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) {
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @Test
    void hostNetworkingExportKeepsEveryServiceOnLoopback() {
        Map<String, Object> compose = parse(ComposeExport.of(plan("dev"), Options.host(SECRETS)));
        assertThat(compose.get("name")).isEqualTo("aixcl");
        assertThat(map(compose.get("services"))).containsOnlyKeys("inference", "postgres", "open-webui",
                "pgadmin");
        Map<String, Object> pg = service(compose, "postgres");
        assertThat(pg).containsEntry("network_mode", "host").containsEntry("container_name", "aixcl-postgres")
                .containsEntry("image", "docker.io/library/postgres:17.6").containsEntry("read_only", true)
                .containsEntry("cap_drop", List.of("ALL")).containsEntry("user", "999:999")
                .containsEntry("restart", "unless-stopped").containsEntry("init", true)
                .containsEntry("stop_signal", "SIGINT").containsEntry("stop_grace_period", "30s")
                .containsEntry("mem_limit", 2147483648L).containsEntry("pids_limit", 512).containsEntry("cpus", 2.0)
                .containsEntry("secrets", List.of(Map.of("source", "postgres-postgres-password",
                        "target", "/run/secrets/postgres-password"), Map.of("source", "postgres-postgres-role-sql",
                        "target", "/run/secrets/postgres-role-sql")))
                .containsEntry("volumes", List.of("postgres-data:/var/lib/postgresql/data"))
                .containsEntry("tmpfs", List.of("/tmp", "/var/run/postgresql"))
                .doesNotContainKey("ports");
        assertThat(list(pg.get("command"))).contains("listen_addresses=127.0.0.1");
        assertThat(map(pg.get("environment"))).containsEntry("POSTGRES_PASSWORD_FILE",
                "/run/secrets/postgres-password");
        assertThat(map(pg.get("labels"))).containsEntry("io.aixcl.stack", "aixcl")
                .containsEntry("io.aixcl.service", "postgres").containsEntry("io.aixcl.managed-by", "aixcl")
                .containsKey("io.aixcl.spec-hash");
        assertThat(map(pg.get("healthcheck"))).containsEntry("test", List.of("CMD", "pg_isready",
                "--host=127.0.0.1", "--port=5432", "--username=aixcl", "--dbname=aixcl"))
                .containsEntry("interval", "5s").containsEntry("retries", 3);
    }

    @Test
    void volumesAndSecretsAreDeclaredAtTheTopLevel() {
        Map<String, Object> compose = parse(ComposeExport.of(plan("usr"), Options.host(SECRETS)));
        assertThat(map(compose.get("volumes"))).containsOnlyKeys("models", "postgres-data");
        assertThat(map(map(compose.get("volumes")).get("models")))
                .containsEntry("name", "aixcl-models")
                .containsEntry("labels", Map.of("io.aixcl.managed-by", "aixcl", "io.aixcl.stack", "aixcl"));
        // One file per container: each copy is owned by its own container's user.
        assertThat(map(compose.get("secrets"))).containsEntry("postgres-postgres-password",
                Map.of("file", SECRETS.resolve("aixcl-postgres/postgres-password").toString()));
    }

    @Test
    void dependenciesKeepConditionsComposeCanCheck() {
        Map<String, Object> webui = service(parse(ComposeExport.of(plan("dev"), Options.host(SECRETS))), "open-webui");
        // postgres has a command probe Compose can run; inference is probed over HTTP by aixcl only.
        assertThat(map(webui.get("depends_on")))
                .containsEntry("postgres", Map.of("condition", "service_healthy"))
                .containsEntry("inference", Map.of("condition", "service_started"));
        assertThat(webui).containsEntry("x-aixcl-probe", "http http://127.0.0.1:8080/health")
                .doesNotContainKey("healthcheck");
    }

    @Test
    void publishedLoopbackExportPublishesOnlyOn127001AndNamesPeers() {
        Map<String, Object> compose = parse(ComposeExport.of(plan("sys"),
                new Options(Networking.PUBLISHED_LOOPBACK, SECRETS)));
        Map<String, Object> webui = service(compose, "open-webui");
        assertThat(webui).doesNotContainKey("network_mode").containsEntry("ports", List.of("127.0.0.1:8080:8080"));
        assertThat(map(webui.get("environment")))
                .containsEntry("HOST", "0.0.0.0")
                .containsEntry("OPENAI_API_BASE_URL", "http://inference:11435/v1")
                .containsEntry("DATABASE_URL", "postgresql://aixcl@postgres:5432/aixcl");
        assertThat(service(compose, "loki")).containsEntry("ports", List.of("127.0.0.1:3100:3100",
                "127.0.0.1:9095:9095"));
        assertThat(list(service(compose, "prometheus").get("command")))
                .contains("--web.listen-address=0.0.0.0:9090");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services.values()).allSatisfy(s -> assertThat(String.valueOf(s.get("ports")))
                .doesNotContain("0.0.0.0"));
        assertThat(service(compose, "updater")).doesNotContainKey("ports");
    }

    @Test
    void stringsAreQuotedSoYaml11ReadersKeepThemStrings() {
        StackDefinition d = StackFiles.load("stack.yaml", """
                version: 1
                services:
                  "on":
                    image: docker.io/library/busybox:1.37.0
                    environment: { "no": "off", MODE: "0755", NOTE: "a \\"quoted\\" #value: with\\nnewline" }
                profiles:
                  odd: { services: [inference, "on"] }
                """);
        String yaml = ComposeExport.of(new Planner().plan(d, "odd"), Options.host(SECRETS));
        assertThat(yaml).contains("  \"on\":\n").contains("\"no\": \"off\"").contains("MODE: \"0755\"")
                .contains("NOTE: \"a \\\"quoted\\\" #value: with\\nnewline\"");
        assertThat(map(service(parse(yaml), "on").get("environment"))).containsEntry("NOTE",
                "a \"quoted\" #value: with\nnewline");
    }

    @Test
    void exportIsDeterministic() {
        assertThat(ComposeExport.of(plan("sys"), Options.host(SECRETS)))
                .isEqualTo(ComposeExport.of(plan("sys"), Options.host(SECRETS)));
    }
}
