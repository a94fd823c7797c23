package io.aixcl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.api.ApiError;
import io.aixcl.api.ErrorCode;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExitCodesTest {

    @Test
    void theDocumentedNumbersAreStable() {
        assertThat(ExitCodes.OK).isZero();
        assertThat(ExitCodes.FAILED).isEqualTo(1);
        assertThat(ExitCodes.INVALID_INPUT).isEqualTo(2);
        assertThat(ExitCodes.NOT_HEALTHY).isEqualTo(3);
        assertThat(ExitCodes.ENGINE_UNAVAILABLE).isEqualTo(4);
        assertThat(ExitCodes.IMAGE_UNAVAILABLE).isEqualTo(5);
        assertThat(ExitCodes.NOT_FOUND).isEqualTo(6);
        assertThat(ExitCodes.CONFLICT).isEqualTo(7);
        assertThat(ExitCodes.DAEMON_UNAVAILABLE).isEqualTo(8);
        assertThat(ExitCodes.CANCELLED).isEqualTo(130);
    }

    @Test
    void everyApiErrorCodeHasItsExitCode() {
        Map<ErrorCode, Integer> expected = new EnumMap<>(ErrorCode.class);
        expected.put(ErrorCode.INVALID_INPUT, 2);
        expected.put(ErrorCode.UNAUTHORIZED, ExitCodes.UNAUTHORIZED);
        expected.put(ErrorCode.UNAUTHENTICATED, ExitCodes.UNAUTHORIZED);
        expected.put(ErrorCode.THROTTLED, ExitCodes.UNAUTHORIZED);
        expected.put(ErrorCode.NOT_FOUND, 6);
        expected.put(ErrorCode.CONFLICT, 7);
        expected.put(ErrorCode.UNHEALTHY, 3);
        expected.put(ErrorCode.ENGINE_UNAVAILABLE, 4);
        expected.put(ErrorCode.IMAGE_UNAVAILABLE, 5);
        expected.put(ErrorCode.CANCELLED, 130);
        expected.put(ErrorCode.FAILED, 1);
        assertThat(expected.keySet()).as("a new ErrorCode needs an exit code and a line here")
                .containsExactlyInAnyOrder(ErrorCode.values());
        expected.forEach((code, exit) -> assertThat(ExitCodes.of(code)).as(code.name()).isEqualTo(exit));
    }

    @Test
    void noErrorCodeExitsWithSuccessOrTheDaemonUnavailableCode() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ExitCodes.of(code)).as(code.name()).isNotIn(ExitCodes.OK, ExitCodes.DAEMON_UNAVAILABLE);
        }
    }

    @Test
    void anApiErrorBecomesACliFailureWithItsExitCodeAndDetails() {
        CliException e = CliException.of(new ApiError(ErrorCode.IMAGE_UNAVAILABLE, "cannot pull x", List.of("d1")));
        assertThat(e.exitCode()).isEqualTo(5);
        assertThat(e.getMessage()).isEqualTo("cannot pull x");
        assertThat(e.details()).containsExactly("d1");
    }

    @Test
    void theHelpDocumentsTheExitCodes(@TempDir Path home) {
        CliRun r = CliRun.of(home, "--help");
        assertThat(r.exit()).isZero();
        String help = r.out().replaceAll("\\s+", " ");
        assertThat(help).contains("0 ok, 1 failed, 2 invalid input, 3 not healthy, 4 no container engine,"
                + " 5 image unavailable, 6 not found, 7 conflict, 8 daemon unavailable, 130 cancelled");
    }
}
