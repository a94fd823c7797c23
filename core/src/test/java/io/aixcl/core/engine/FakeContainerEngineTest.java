package io.aixcl.core.engine;

import java.util.List;

class FakeContainerEngineTest extends ContainerEngineContract {
    private final FakeContainerEngine engine = new FakeContainerEngine();

    FakeContainerEngineTest() {
        engine.localImages.add(runnableImage());
    }

    @Override
    protected ContainerEngine engine() {
        return engine;
    }

    @Override
    protected String runnableImage() {
        return "localhost/fake-http:1";
    }

    @Override
    protected List<String> longRunningCommand() {
        return List.of("sleep", "1000");
    }
}
