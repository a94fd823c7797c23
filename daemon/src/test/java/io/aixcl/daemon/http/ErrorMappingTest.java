package io.aixcl.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParseException;
import io.aixcl.api.ApiError;
import io.aixcl.api.ErrorCode;
import io.aixcl.core.AixclException;
import io.aixcl.stackfile.Problem;
import io.aixcl.stackfile.StackFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {

    /** One instance of every kind of domain failure, with the code each must become. */
    private static Map<AixclException, ErrorCode> everyKind() {
        Map<AixclException, ErrorCode> m = new LinkedHashMap<>();
        m.put(new AixclException.InvalidInput("bad flag"), ErrorCode.INVALID_INPUT);
        m.put(new AixclException.NotFound("no such service"), ErrorCode.NOT_FOUND);
        m.put(new AixclException.Conflict("port 5432 is in use"), ErrorCode.CONFLICT);
        m.put(new AixclException.EngineUnavailable("no podman", null), ErrorCode.ENGINE_UNAVAILABLE);
        m.put(new AixclException.ImageUnavailable("localhost/x:1", "cannot pull localhost/x:1", null),
                ErrorCode.IMAGE_UNAVAILABLE);
        m.put(new AixclException.Unhealthy("db", "db did not get healthy", List.of("a", "b")), ErrorCode.UNHEALTHY);
        m.put(new AixclException.Cancelled("interrupted"), ErrorCode.CANCELLED);
        m.put(new AixclException.Failed("engine said no", null), ErrorCode.FAILED);
        return m;
    }

    @Test
    void everyDomainFailureKindIsCovered() {
        assertThat(everyKind().keySet().stream().map(Object::getClass).toList())
                .as("a new AixclException subtype needs a mapping and a line here")
                .containsExactlyInAnyOrderElementsOf(Arrays.asList(AixclException.class.getPermittedSubclasses()));
    }

    @Test
    void everyDomainFailureMapsToItsErrorCodeAndKeepsItsMessage() {
        everyKind().forEach((failure, code) -> {
            ApiError e = ErrorMapping.toApiError(failure);
            assertThat(e.code()).as(failure.getClass().getSimpleName()).isEqualTo(code);
            assertThat(e.message()).isEqualTo(failure.getMessage());
        });
    }

    @Test
    void anUnhealthyServiceCarriesItsLastLogLines() {
        ApiError e = ErrorMapping.toApiError(new AixclException.Unhealthy("db", "db failed", List.of("l1", "l2")));
        assertThat(e.details()).containsExactly("l1", "l2");
    }

    @Test
    void aStackFileProblemListBecomesTheDetailsAndTheMessageIsItsHeadline() {
        StackFileException failure = new StackFileException(List.of(
                new Problem("stack.yaml", 3, 5, "services.web.image", "must not be 'latest'"),
                new Problem("stack.yaml", 9, 1, "colour", "unknown field")));
        ApiError e = ErrorMapping.toApiError(failure);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.message()).isEqualTo("2 problems:");
        assertThat(e.details()).containsExactly("stack.yaml:3:5: services.web.image: must not be 'latest'",
                "stack.yaml:9:1: colour: unknown field");
    }

    @Test
    void aMalformedBodyAndABadRequestAreInvalidInput() {
        assertThat(ErrorMapping.toApiError(new JsonParseException(null, "Unexpected end-of-input")).code())
                .isEqualTo(ErrorCode.INVALID_INPUT);
        ApiError bad = ErrorMapping.toApiError(new ErrorMapping.BadRequest("tail must be an integer"));
        assertThat(bad).isEqualTo(new ApiError(ErrorCode.INVALID_INPUT, "tail must be an integer", List.of()));
    }

    @Test
    void anUnexpectedExceptionIsAGenericFailureThatHidesItsMessage() {
        ApiError e = ErrorMapping.toApiError(new NullPointerException("token=abc123"));
        assertThat(e.code()).isEqualTo(ErrorCode.FAILED);
        assertThat(e.message()).doesNotContain("abc123").contains("NullPointerException");
    }
}
