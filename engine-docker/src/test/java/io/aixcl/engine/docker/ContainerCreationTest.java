package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.RestartPolicy;
import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ContainerSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerCreationTest {
    private static final SecretMountPolicy SECRETS = new SecretMountPolicy(Path.of("/nonexistent/secrets"));

    private static ContainerSpec spec(List<ContainerSpec.Mount> mounts, List<String> capAdd, String restart) {
        return new ContainerSpec("n", "img:1", List.of(), Map.of(), Map.of(), mounts, List.of("/tmp", "/run:size=1m"),
                true, Map.of(), 0, 0, 0, capAdd, false, Optional.empty(), restart, 3, false, Optional.empty(),
                Duration.ofSeconds(1));
    }

    @Test
    void everyContainerDropsAllCapabilitiesAndIsNeverPrivileged() {
        var host = ContainerCreation.hostConfig(spec(List.of(), List.of("chown"), "no"), SECRETS);
        assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
        assertThat(host.getCapAdd()).containsExactly(Capability.CHOWN);
        assertThat(host.getPrivileged()).isFalse();
        assertThat(host.getBinds()).isNullOrEmpty();
    }

    @Test
    void capAddAllAndUnknownCapabilitiesAreRefused() {
        assertThatThrownBy(() -> ContainerCreation.hostConfig(spec(List.of(), List.of("ALL"), "no"), SECRETS))
                .isInstanceOf(AixclException.InvalidInput.class);
        assertThatThrownBy(() -> ContainerCreation.hostConfig(spec(List.of(), List.of("CAP_WIZARD"), "no"), SECRETS))
                .isInstanceOf(AixclException.InvalidInput.class).hasMessageContaining("CAP_WIZARD");
    }

    @Test
    void volumesAreNamedVolumeMountsAndTmpfsKeepsItsOptions() {
        var host = ContainerCreation.hostConfig(spec(
                List.of(new ContainerSpec.VolumeMount("stack-data", "/data", true)), List.of(), "no"), SECRETS);
        assertThat(host.getMounts()).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo(MountType.VOLUME);
            assertThat(m.getSource()).isEqualTo("stack-data");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(host.getTmpFs()).containsEntry("/tmp", "").containsEntry("/run", "size=1m");
    }

    @Test
    void aSecretOutsideTheSecretsFolderStopsTheCreation() {
        var s = spec(List.of(new ContainerSpec.SecretFileMount("/var/run/docker.sock", "/var/run/docker.sock")),
                List.of(), "no");
        assertThatThrownBy(() -> ContainerCreation.hostConfig(s, SECRETS))
                .isInstanceOf(AixclException.InvalidInput.class);
    }

    @Test
    void restartPoliciesMapToTheEnginesNames() {
        assertThat(ContainerCreation.restartPolicy("on-failure", 3).getMaximumRetryCount()).isEqualTo(3);
        assertThat(ContainerCreation.restartPolicy("on-failure:5", 0).getMaximumRetryCount()).isEqualTo(5);
        assertThat(ContainerCreation.restartPolicy("unless-stopped", 0).getName()).isEqualTo("unless-stopped");
        assertThat(ContainerCreation.restartPolicy("no", 0)).isEqualTo(RestartPolicy.noRestart());
        assertThatThrownBy(() -> ContainerCreation.restartPolicy("sometimes", 0))
                .isInstanceOf(AixclException.InvalidInput.class);
    }
}
