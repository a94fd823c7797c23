package io.aixcl.stackfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.aixcl.core.secrets.SecretPolicies;
import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.SecretRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stack file's {@code secrets:} section: how each secret is generated, validated with positions. */
class SecretPoliciesFileTest {

    private static List<String> messages(String yaml) {
        StackFileException e = catchThrowableOfType(StackFileException.class, () -> StackFiles.load("stack.yaml", yaml));
        assertThat(e).as("expected problems for:\n" + yaml).isNotNull();
        return e.problems().stream().map(Problem::toString).toList();
    }

    @Test
    void catalogDeclaresAPolicyForEverySecretItsServicesUse() {
        var catalog = StackFiles.catalog();
        SecretPolicies policies = catalog.secretPolicies();
        List<String> used = catalog.services().values().stream().flatMap(s -> s.secrets().stream())
                .map(SecretRef::name).distinct().toList();
        assertThat(policies.byName().keySet()).containsAll(used);
        assertThat(policies.of("open-webui-pgpass")).isEqualTo(
                new SecretPolicy.Template("127.0.0.1:5432:*:aixcl:${postgres-password}"));
        assertThat(policies.derivedFrom("postgres-password")).containsExactly("open-webui-pgpass",
                "postgres-role-sql");
        assertThat(catalog.service(ServiceName.of("open-webui")).secrets()).extracting(SecretRef::name)
                .contains("open-webui-pgpass");
    }

    @Test
    void userFileOverridesAndAddsPolicies() {
        var d = StackFiles.load("stack.yaml", """
                version: 1
                secrets:
                  postgres-password: { length: 48 }
                  searx-key: { hex: 32 }
                  searx-url: { template: "https://u:${searx-key}@127.0.0.1/" }
                """);
        assertThat(d.secretPolicies().of("postgres-password")).isEqualTo(new SecretPolicy.RandomPassword(48));
        assertThat(d.secretPolicies().of("searx-key")).isEqualTo(new SecretPolicy.HexKey(32));
        assertThat(d.secretPolicies().of("searx-url").sources()).containsExactly("searx-key");
        assertThat(d.secretPolicies().of("open-webui-pgpass")).isInstanceOf(SecretPolicy.Template.class);
        assertThat(d.secretPolicies().of("undeclared")).isEqualTo(SecretPolicy.DEFAULT);
    }

    @Test
    void badPoliciesAreReportedWithLineAndField() {
        assertThat(messages("""
                version: 1
                secrets:
                  short: { length: 4 }
                  both: { length: 32, hex: 16 }
                  nothing: {}
                  literal: { template: "hunter2" }
                  broken: { template: "a ${not closed" }
                  Bad_Name: { length: 32 }
                  typo: { lenght: 32 }
                """)).containsExactly(
                "stack.yaml:3:20: secrets.short.length: expected a whole number from 16 to 4096, found 4",
                "stack.yaml:4:9: secrets.both: expected exactly one of: length (random characters), hex (random "
                        + "bytes as hex), template (derived from other secrets)",
                "stack.yaml:5:12: secrets.nothing: expected exactly one of: length (random characters), hex (random "
                        + "bytes as hex), template (derived from other secrets)",
                "stack.yaml:6:24: secrets.literal.template: template names no secret: literal text would be a "
                        + "default value",
                "stack.yaml:7:23: secrets.broken.template: template names no secret: literal text would be a "
                        + "default value",
                "stack.yaml:8:3: secrets.Bad_Name: invalid secret name 'Bad_Name': expected lowercase letters, "
                        + "digits, '.', '_', '-'",
                "stack.yaml:9:11: secrets.typo.lenght: unknown key (did you mean 'length'?); expected one of: "
                        + "length, hex, template");
    }

    @Test
    void malformedPlaceholderBesideAGoodOneIsReported() {
        assertThat(messages("""
                version: 1
                secrets:
                  x: { template: "${postgres-password} ${oops" }
                """)).containsExactly("stack.yaml:3:18: secrets.x.template: template has a malformed placeholder: "
                + "expected ${secret-name}");
    }

    @Test
    void templateCyclesAreRefusedWithThePath() {
        assertThat(messages("""
                version: 1
                secrets:
                  a: { template: "${b}" }
                  b: { template: "x${a}" }
                  self: { template: "${self}" }
                """)).containsExactly(
                "stack.yaml:4:3: secrets.b.template: secret templates form a cycle: a -> b -> a",
                "stack.yaml:5:3: secrets.self.template: a template cannot use its own secret");
    }
}
