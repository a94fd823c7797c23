package io.aixcl.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.cli.CliRun;
import io.aixcl.cli.ExitCodes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsCommandTest {

    @Test
    void helpNamesListShowAndRotate(@TempDir Path home) {
        CliRun r = CliRun.of(home, "secrets", "--help");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("list").contains("show").contains("rotate");
    }

    @Test
    void showAndRotateNeedAName(@TempDir Path home) {
        assertThat(CliRun.of(home, "secrets", "show").exit()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(CliRun.of(home, "secrets", "rotate").exit()).isEqualTo(ExitCodes.INVALID_INPUT);
    }
}
