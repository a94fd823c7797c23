package io.aixcl.engine.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.aixcl.core.engine.ContainerEngine.ChangeWatcher;
import java.io.Closeable;
import java.util.logging.Logger;

/**
 * Follows the engine's {@code /events} stream for containers and volumes, telling the watcher about each, and
 * reconnects with backoff when the stream ends (an engine restart, a dropped connection).
 */
final class EventFollower implements Closeable {
    private static final Logger LOG = Logger.getLogger(EventFollower.class.getName());
    private static final long MAX_BACKOFF_MS = 10_000;

    private final DockerClient client;
    private final ChangeWatcher watcher;
    private volatile boolean closed;
    private volatile ResultCallback.Adapter<Event> current;
    private Thread thread;

    EventFollower(DockerClient client, ChangeWatcher watcher) {
        this.client = client;
        this.watcher = watcher;
    }

    EventFollower start() {
        thread = Thread.ofVirtual().name("engine-events").start(this::run);
        return this;
    }

    private void run() {
        long backoff = 250;
        while (!closed) {
            long began = System.nanoTime();
            var callback = new ResultCallback.Adapter<Event>() {
                @Override
                public void onStart(Closeable stream) {
                    super.onStart(stream);
                    watcher.connected();
                }

                @Override
                public void onNext(Event event) {
                    watcher.changed();
                }
            };
            current = callback;
            try {
                client.eventsCmd().withEventTypeFilter(EventType.CONTAINER, EventType.VOLUME).exec(callback)
                        .awaitCompletion();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.fine("engine event stream failed: " + e.getMessage());
            } finally {
                watcher.disconnected();
            }
            if (closed) {
                return;
            }
            // A stream that stayed up a while was healthy: start the backoff over.
            backoff = System.nanoTime() - began > 30_000_000_000L ? 250 : Math.min(backoff * 2, MAX_BACKOFF_MS);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        var c = current;
        if (c != null) {
            try {
                c.close();
            } catch (java.io.IOException ignored) {
                // the stream is going away either way
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
