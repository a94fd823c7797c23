package io.aixcl.daemon;

import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ContainerEngine;
import java.util.function.Supplier;

/**
 * Connects to the container engine on first need and keeps the connection. The daemon starts without an engine
 * (a machine may have none yet); requests that need one fail with EngineUnavailable saying what to install.
 */
public final class EngineConnector implements AutoCloseable {
    private final Supplier<ContainerEngine> connect;
    private ContainerEngine engine;

    public EngineConnector(Supplier<ContainerEngine> connect) {
        this.connect = connect;
    }

    public synchronized ContainerEngine engine() {
        if (engine == null) {
            try {
                engine = connect.get();
            } catch (AixclException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new AixclException.EngineUnavailable("cannot connect to a container engine: " + e.getMessage(), e);
            }
        }
        return engine;
    }

    @Override
    public synchronized void close() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }
}
