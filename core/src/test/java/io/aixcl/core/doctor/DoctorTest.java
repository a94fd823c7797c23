package io.aixcl.core.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.doctor.Facts.FileFact;
import io.aixcl.core.doctor.Facts.Listener;
import io.aixcl.core.engine.ContainerSecurity;
import io.aixcl.core.engine.EngineInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DoctorTest {
    private static final EngineInfo ROOTLESS = new EngineInfo("Podman", "4.3.1", "1.41", true, "/s", "x", false,
            List.of());

    private static ContainerSecurity container(String name, boolean privileged, List<String> mounts,
                                               Map<String, String> env) {
        return new ContainerSecurity("id-" + name, name, Map.of("io.aixcl.stack", "s"), privileged, mounts, List.of(),
                env, "host", "");
    }

    private static Facts facts(List<ContainerSecurity> containers, List<Listener> listeners, List<FileFact> files) {
        return new Facts(Optional.of(ROOTLESS), "", "s", containers, Map.of("postgres", List.of(5432)), listeners,
                files, Optional.empty());
    }

    private static List<Finding> fails(List<Finding> findings) {
        return findings.stream().filter(f -> f.severity() == Finding.Severity.FAIL).toList();
    }

    @Test
    void aCleanSetupHasNoFailure() {
        var findings = new Doctor().examine(facts(
                List.of(container("s-postgres", false, List.of("s-data"), Map.of("POSTGRES_PASSWORD_FILE", "/run/secrets/p"))),
                List.of(new Listener("127.0.0.1", 5432, true), new Listener("0.0.0.0", 22, false)),
                List.of(new FileFact("daemon socket", "/r/aixcld.sock", Optional.of("srw-------"), "rw-------", true, 0))));
        assertThat(fails(findings)).isEmpty();
        assertThat(Doctor.healthy(findings)).isTrue();
    }

    @Test
    void aServiceListeningOnAllInterfacesFails() {
        var findings = new Doctor().examine(facts(List.of(), List.of(new Listener("0.0.0.0", 5432, false)), List.of()));
        assertThat(fails(findings)).singleElement().satisfies(f -> {
            assertThat(f.subject()).isEqualTo("postgres");
            assertThat(f.message()).contains("0.0.0.0:5432");
        });
    }

    @Test
    void privilegedContainersAndEngineSocketMountsFailWhoeverOwnsThem() {
        var foreign = new ContainerSecurity("x", "someone-elses", Map.of(), true, List.of("/run/podman/podman.sock"),
                List.of(), Map.of(), "bridge", "");
        var findings = new Doctor().examine(facts(List.of(foreign), List.of(), List.of()));
        assertThat(fails(findings)).extracting(Finding::check).containsExactlyInAnyOrder("privileged", "engine-socket");
    }

    @Test
    void credentialsInTheEnvironmentFailAndDefaultsAreCalledSoWithoutShowingValues() {
        var findings = new Doctor().examine(facts(List.of(container("s-grafana", false, List.of(),
                Map.of("GF_SECURITY_ADMIN_PASSWORD", "admin", "API_TOKEN", "s3cr3t-v4lue", "GF_PATHS_DATA", "/x"))),
                List.of(), List.of()));
        assertThat(fails(findings)).extracting(Finding::message).containsExactlyInAnyOrder(
                "GF_SECURITY_ADMIN_PASSWORD is a well-known default",
                "API_TOKEN carries a credential in the environment (visible to anyone who can inspect the container)");
        assertThat(findings).noneMatch(f -> f.message().contains("s3cr3t-v4lue") || f.fix().contains("s3cr3t-v4lue"));
    }

    @Test
    void looseOrMissingOrEmptyFilesFailWithTheFix() {
        var findings = new Doctor().examine(facts(List.of(), List.of(), List.of(
                new FileFact("daemon socket", "/r/aixcld.sock", Optional.of("srw-rw-rw-"), "rw-------", true, 0),
                new FileFact("postgres-password", "/r/secrets/p", Optional.empty(), "r--------", true, 0),
                new FileFact("grafana-admin-password", "/r/secrets/g", Optional.of("-r--------"), "r--------", true, 0))));
        assertThat(fails(findings)).extracting(Finding::message).containsExactly(
                "/r/aixcld.sock is srw-rw-rw-, looser than rw-------", "/r/secrets/p is missing", "/r/secrets/g is empty");
        assertThat(fails(findings).getFirst().fix()).isEqualTo("chmod 600 /r/aixcld.sock");
    }

    @Test
    void aRootfulEngineIsAWarningNotAFailure() {
        var rootful = new EngineInfo("Podman", "4.3.1", "1.41", false, "/s", "x", false, List.of());
        var findings = new Doctor().examine(new Facts(Optional.of(rootful), "", "s", List.of(), Map.of(), List.of(),
                List.of(), Optional.empty()));
        assertThat(findings).filteredOn(f -> f.check().equals("engine")).singleElement()
                .extracting(Finding::severity).isEqualTo(Finding.Severity.WARN);
        assertThat(Doctor.healthy(findings)).isTrue();
    }

    @Test
    void aBrokenOrOverriddenAuditLogIsReported() {
        var broken = new Facts.AuditStatus(false, "INVALID at entry 7: hash chain broken", 0, false, Optional.empty());
        var overridden = new Facts.AuditStatus(true, "1200 entries, verified", 13, true,
                Optional.of("No space left on device"));
        var f1 = new Doctor().examine(new Facts(Optional.of(ROOTLESS), "", "s", List.of(), Map.of(), List.of(),
                List.of(), Optional.of(broken)));
        assertThat(fails(f1)).extracting(Finding::message).containsExactly("INVALID at entry 7: hash chain broken");
        var f2 = new Doctor().examine(new Facts(Optional.of(ROOTLESS), "", "s", List.of(), Map.of(), List.of(),
                List.of(), Optional.of(overridden)));
        assertThat(f2).filteredOn(f -> f.check().equals("audit")).extracting(Finding::severity)
                .containsExactly(Finding.Severity.OK, Finding.Severity.WARN, Finding.Severity.WARN,
                        Finding.Severity.FAIL);
    }
}
