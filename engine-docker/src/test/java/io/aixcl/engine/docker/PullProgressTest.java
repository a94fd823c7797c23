package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.engine.PullProgress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull progress needs a registry, and none is reachable here: the engine's pull stream is replayed instead. */
class PullProgressTest {
    @TempDir
    Path dir;

    private List<PullProgress> pull(String stream, String image) {
        List<PullProgress> progress = new ArrayList<>();
        try (var fake = FakeEngineSocket.docker(dir.resolve("d.sock"), "1.41", "1.24",
                Map.of("/v1.41/images/create", stream));
                var engine = DockerApiEngine.open(new EngineLocation(fake.socket(), "test", List.of(),
                        Optional.empty()), dir)) {
            engine.pullImage(image, progress::add);
        }
        return progress;
    }

    @Test
    void eachLayersProgressReachesTheConsumer() {
        String stream = """
                {"status":"Pulling from library/app","id":"1.0"}
                {"status":"Downloading","progressDetail":{"current":512,"total":2048},"id":"a1b2c3"}
                {"status":"Downloading","progressDetail":{"current":2048,"total":2048},"id":"a1b2c3"}
                {"status":"Pull complete","progressDetail":{},"id":"a1b2c3"}
                """;
        assertThat(pull(stream, "example.org/library/app:1.0")).containsExactly(
                new PullProgress("example.org/library/app:1.0", "1.0", "Pulling from library/app", 0, 0),
                new PullProgress("example.org/library/app:1.0", "a1b2c3", "Downloading", 512, 2048),
                new PullProgress("example.org/library/app:1.0", "a1b2c3", "Downloading", 2048, 2048),
                new PullProgress("example.org/library/app:1.0", "a1b2c3", "Pull complete", 0, 0));
    }

    @Test
    void anErrorInTheStreamIsImageUnavailableWithTheRegistrysText() {
        String stream = """
                {"status":"Pulling from library/app","id":"1.0"}
                {"errorDetail":{"message":"manifest for example.org/library/app:9 not found: manifest unknown"},\
                "error":"manifest for example.org/library/app:9 not found: manifest unknown"}
                """;
        assertThatThrownBy(() -> pull(stream, "example.org/library/app:9"))
                .isInstanceOf(AixclException.ImageUnavailable.class)
                .hasMessage("example.org/library/app:9: manifest for example.org/library/app:9 not found:"
                        + " manifest unknown");
    }
}
