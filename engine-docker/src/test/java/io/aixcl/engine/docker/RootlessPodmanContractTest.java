package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ContainerEngineContract;
import io.aixcl.core.testing.TestImages;
import java.util.List;
import org.junit.jupiter.api.Test;

class RootlessPodmanContractTest extends ContainerEngineContract {

    @Override
    protected ContainerEngine engine() {
        return RealPodman.rootless();
    }

    @Override
    protected String runnableImage() {
        return TestImages.BUSYBOX;
    }

    @Override
    protected List<String> longRunningCommand() {
        return List.of("sleep", "1000");
    }

    @Test
    void reportsARootlessPodman() {
        var info = engine().info();
        assertThat(info.engine()).isEqualTo("Podman");
        assertThat(info.rootless()).isTrue();
    }
}
