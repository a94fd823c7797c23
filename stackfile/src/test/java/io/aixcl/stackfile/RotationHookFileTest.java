package io.aixcl.stackfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.core.stack.RotationHook;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.StackDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A secret reference's {@code on_rotate}: what the running service runs when the value changes. */
class RotationHookFileTest {

    private static List<String> messages(String yaml) {
        StackFileException e = catchThrowableOfType(StackFileException.class, () -> StackFiles.load("stack.yaml", yaml));
        assertThat(e).as("expected problems for:\n" + yaml).isNotNull();
        return e.problems().stream().map(Problem::toString).toList();
    }

    private static List<SecretRef> secrets(StackDefinition d, String service) {
        return d.service(ServiceName.of(service)).secrets();
    }

    @Test
    void hookIsReadWithItsArgumentsAndTimeoutAndFileEnvMayBeLeftOut() {
        StackDefinition d = StackFiles.load("stack.yaml", """
                version: 1
                services:
                  vault:
                    image: localhost/vault:1
                    secrets:
                      - { name: vault-token, file_env: VAULT_TOKEN_FILE }
                      - name: vault-apply
                        on_rotate: { exec: [vault-admin, --apply, /run/secrets/vault-apply], timeout: 2m }
                      - name: vault-check
                        on_rotate:
                          exec: [ check ]
                secrets:
                  vault-apply: { template: "token=${vault-token}" }
                  vault-check: { template: "${vault-token}" }
                profiles:
                  v: { services: [inference, vault] }
                """);
        assertThat(secrets(d, "vault")).containsExactly(
                new SecretRef("vault-token", "VAULT_TOKEN_FILE"),
                new SecretRef("vault-apply", Optional.empty(), Optional.of(new RotationHook(
                        List.of("vault-admin", "--apply", "/run/secrets/vault-apply"), Duration.ofMinutes(2)))),
                new SecretRef("vault-check", Optional.empty(), Optional.of(new RotationHook(List.of("check"),
                        RotationHook.DEFAULT_TIMEOUT))));
    }

    @Test
    void catalogPostgresChangesItsRolePasswordFromAFileOverTheLocalSocket() {
        StackDefinition catalog = StackFiles.catalog();
        SecretRef ref = secrets(catalog, "postgres").stream().filter(r -> r.name().equals("postgres-role-sql"))
                .findFirst().orElseThrow();
        assertThat(ref.fileEnv()).isEmpty();
        RotationHook hook = ref.onRotate().orElseThrow();
        assertThat(hook.program()).isEqualTo("psql");
        assertThat(hook.exec()).contains("--set=ON_ERROR_STOP=1", "--file=" + ref.containerPath(),
                "--host=/var/run/postgresql");
        assertThat(String.join(" ", hook.exec())).doesNotContain("${").doesNotContain("PASSWORD");
        SecretPolicy sql = catalog.secretPolicies().of("postgres-role-sql");
        assertThat(sql.sources()).containsExactly("postgres-password");
        assertThat(catalog.secretPolicies().derivedFrom("postgres-password")).contains("postgres-role-sql");
        assertThat(((SecretPolicy.Template) sql).text()).contains("ALTER ROLE aixcl PASSWORD '${postgres-password}';");
        // The value sits between SQL quotes: its alphabet must have no quote and no backslash. Random passwords
        // and hex keys are URL-safe (A-Z a-z 0-9 - _); a template source could carry any literal text.
        assertThat(catalog.secretPolicies().of("postgres-password")).isInstanceOf(SecretPolicy.RandomPassword.class);
    }

    @Test
    void userOverrideOfTheCatalogSecretsKeepsNoHookUnlessRedeclared() {
        StackDefinition d = StackFiles.load("stack.yaml", """
                version: 1
                services:
                  postgres:
                    secrets: [{ name: postgres-password, file_env: POSTGRES_PASSWORD_FILE }]
                """);
        assertThat(secrets(d, "postgres")).extracting(SecretRef::onRotate).containsOnly(Optional.empty());
    }

    @Test
    void badHooksAreReportedWithLineAndField() {
        assertThat(messages("""
                version: 1
                services:
                  a:
                    image: localhost/a:1
                    secrets:
                      - { name: s1, on_rotate: { exec: "psql -f /run/secrets/s1" } }
                      - { name: s2, on_rotate: { exec: [] } }
                      - { name: s3, on_rotate: { timeout: 10s } }
                      - { name: s4, on_rotate: { exec: [x], timeout: 0s } }
                      - { name: s5, on_rotate: { exec: [x], timeout: 11m } }
                      - { name: s6, on_rotate: { exec: [x], timout: 1s } }
                      - { name: s7, on_rotate: [x] }
                      - { file_env: X_FILE, on_rotate: { exec: [x] } }
                      - { name: s9, on_rotate: { exec: [x], timeout: soon } }
                """)).containsExactly(
                "stack.yaml:6:40: services.a.secrets[0].on_rotate.exec: expected a list of arguments (there is no "
                        + "shell to split a string), found 'psql -f /run/secrets/s1'",
                "stack.yaml:7:40: services.a.secrets[1].on_rotate.exec: expected at least the program to run",
                "stack.yaml:8:32: services.a.secrets[2].on_rotate: expected 'exec': the program and its arguments "
                        + "to run in the running service when this secret changes",
                "stack.yaml:9:54: services.a.secrets[3].on_rotate.timeout: expected more than 0 and at most 10m, "
                        + "found '0s'",
                "stack.yaml:10:54: services.a.secrets[4].on_rotate.timeout: expected more than 0 and at most 10m, "
                        + "found '11m'",
                "stack.yaml:11:45: services.a.secrets[5].on_rotate.timout: unknown key (did you mean 'timeout'?); "
                        + "expected one of: exec, timeout",
                "stack.yaml:12:32: services.a.secrets[6].on_rotate: expected a mapping, found a list",
                "stack.yaml:13:9: services.a.secrets[7]: a secret needs a 'name' (and usually 'file_env', the "
                        + "variable that points at its file)",
                "stack.yaml:14:54: services.a.secrets[8].on_rotate.timeout: expected a duration like 500ms, 10s, "
                        + "1m30s or 1h, found 'soon'");
    }
}
