package io.aixcl.state;

import java.util.function.Supplier;

/**
 * Opens the state store at first use: most daemon runs never touch it, and a migration check costs start time
 * that every CLI command started on demand would wait for.
 */
public final class LazyStateStore implements Supplier<StateStore>, AutoCloseable {
    private final StateDatabase database;
    private StateStore store;
    private boolean closed;

    public LazyStateStore(StateDatabase database) {
        this.database = database;
    }

    @Override
    public synchronized StateStore get() {
        if (closed) {
            throw new io.aixcl.core.AixclException.Failed("the state store is closed", null);
        }
        if (store == null) {
            store = StateStore.open(database);
        }
        return store;
    }

    public StateDatabase database() {
        return database;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (store != null) {
            store.close();
        }
    }
}
