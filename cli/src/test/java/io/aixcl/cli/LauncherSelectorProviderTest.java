package io.aixcl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The launcher (./aixcl) names the JDK's default selector provider on Linux, so that the first socket does not
 * search every jar for another one. A JDK whose default is another class would make every command fail: this
 * fails the build first.
 */
class LauncherSelectorProviderTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void theProviderTheLauncherNamesIsTheJdksDefault() throws Exception {
        String name = SelectorProvider.provider().getClass().getName();
        assertThat(name).isEqualTo("sun.nio.ch.EPollSelectorProvider");
        assertThat(Files.readString(Path.of("..", "aixcl")))
                .contains("-Djava.nio.channels.spi.SelectorProvider=" + name + ")");
    }
}
