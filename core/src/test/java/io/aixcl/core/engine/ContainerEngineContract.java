package io.aixcl.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ContainerEngine} adapter must do. Runs against the fake and against real Podman, so the
 * fake's behaviour in planner tests is the engine's behaviour.
 */
public abstract class ContainerEngineContract {

    protected final String run = "ct" + UUID.randomUUID().toString().substring(0, 8);

    protected abstract ContainerEngine engine();

    /** An image present in the engine whose default command keeps running (for example an HTTP server). */
    protected abstract String runnableImage();

    protected abstract List<String> longRunningCommand();

    protected ContainerSpec spec(String name) {
        return new ContainerSpec(run + "-" + name, runnableImage(), longRunningCommand(), Map.of("A", "1"),
                Map.of("io.aixcl.stack", run, "io.aixcl.service", name), List.of(), List.of(), true, Map.of(), 0, 0,
                0, List.of(), false, Optional.empty(), "no", 0, true, Optional.empty(), Duration.ofSeconds(2));
    }

    @AfterEach
    void cleanUp() {
        for (ContainerState c : engine().listContainers(Map.of("io.aixcl.stack", run))) {
            engine().removeContainer(c.id());
        }
        for (VolumeInfo v : engine().listVolumes(Map.of("io.aixcl.stack", run))) {
            engine().removeVolume(v.name());
        }
    }

    @Test
    void createdContainerIsListedByLabelAndCarriesItsLabels() {
        String id = engine().createContainer(spec("a"));
        List<ContainerState> listed = engine().listContainers(Map.of("io.aixcl.stack", run));
        assertThat(listed).extracting(ContainerState::id).containsExactly(id);
        assertThat(listed.getFirst().labels()).containsEntry("io.aixcl.service", "a");
        assertThat(listed.getFirst().status()).isEqualTo(ContainerState.Status.CREATED);
    }

    @Test
    void startRunsAndStopExitsAndStoppingTwiceIsNotAnError() {
        String id = engine().createContainer(spec("b"));
        engine().startContainer(id);
        assertThat(engine().inspectContainer(id)).get().extracting(ContainerState::status)
                .isEqualTo(ContainerState.Status.RUNNING);
        engine().stopContainer(id, Duration.ofSeconds(5));
        assertThat(engine().inspectContainer(id)).get().extracting(ContainerState::status)
                .isEqualTo(ContainerState.Status.EXITED);
        engine().stopContainer(id, Duration.ofSeconds(5));
    }

    @Test
    void inspectFindsByNameAndUnknownIsEmpty() {
        String id = engine().createContainer(spec("c"));
        assertThat(engine().inspectContainer(run + "-c")).get().extracting(ContainerState::id).isEqualTo(id);
        assertThat(engine().inspectContainer(run + "-nope")).isEmpty();
    }

    @Test
    void duplicateNameIsAConflict() {
        engine().createContainer(spec("d"));
        assertThatThrownBy(() -> engine().createContainer(spec("d"))).isInstanceOf(AixclException.Conflict.class);
    }

    @Test
    void missingImageCannotBePulled() {
        String image = "localhost/aixcl-does-not-exist-" + run + ":1";
        assertThat(engine().imageExists(image)).isFalse();
        assertThatThrownBy(() -> engine().pullImage(image, p -> {}))
                .isInstanceOf(AixclException.ImageUnavailable.class)
                .hasMessageContaining(image);
    }

    @Test
    void volumesAreCreatedOnceAndListedByLabel() {
        Map<String, String> labels = Map.of("io.aixcl.stack", run);
        engine().ensureVolume(run + "-data", labels);
        engine().ensureVolume(run + "-data", labels);
        assertThat(engine().listVolumes(labels)).extracting(VolumeInfo::name).containsExactly(run + "-data");
        engine().removeVolume(run + "-data");
        assertThat(engine().listVolumes(labels)).isEmpty();
    }

    @Test
    void watchersHearOfContainerChanges() throws Exception {
        var connected = new java.util.concurrent.CountDownLatch(1);
        var changed = new java.util.concurrent.CountDownLatch(1);
        try (var ignored = engine().watch(new ContainerEngine.ChangeWatcher() {
            public void connected() {
                connected.countDown();
            }

            public void changed() {
                changed.countDown();
            }

            public void disconnected() {}
        })) {
            assertThat(connected.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("stream up").isTrue();
            engine().createContainer(spec("w"));
            assertThat(changed.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("a change heard").isTrue();
        }
    }

    @Test
    void execRunsInsideARunningContainer() {
        String id = engine().createContainer(spec("e"));
        engine().startContainer(id);
        assertThat(engine().exec(id, List.of("true"), Duration.ofSeconds(10)).ok()).isTrue();
    }
}
