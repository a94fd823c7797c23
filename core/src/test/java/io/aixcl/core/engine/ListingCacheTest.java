package io.aixcl.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ListingCacheTest {

    /** Counts the listings that reached the engine. */
    static class CountingEngine extends FakeContainerEngine {
        final AtomicInteger lists = new AtomicInteger();
        ChangeWatcher watcher;

        @Override
        public List<ContainerState> listContainers(Map<String, String> labelFilter) {
            lists.incrementAndGet();
            return super.listContainers(labelFilter);
        }

        @Override
        public java.io.Closeable watch(ChangeWatcher w) {
            watcher = w;
            return super.watch(w);
        }
    }

    private final CountingEngine engine = new CountingEngine();
    private final ListingCache cache = new ListingCache(engine);

    private ContainerSpec spec(String name) {
        engine.localImages.add("localhost/x:1");
        return new ContainerSpec(name, "localhost/x:1", List.of(), Map.of(), Map.of("io.aixcl.stack", "s"), List.of(),
                List.of(), true, Map.of(), 0, 0, 0, List.of(), false, Optional.empty(), "no", 0, true,
                Optional.empty(), Duration.ofSeconds(1));
    }

    @Test
    void repeatedListingsAreServedFromMemoryWhileNothingChanges() {
        cache.createContainer(spec("a"));
        cache.listContainers(Map.of("io.aixcl.stack", "s"));
        cache.listContainers(Map.of("io.aixcl.stack", "s"));
        cache.listContainers(Map.of("io.aixcl.stack", "s"));
        assertThat(engine.lists.get()).isEqualTo(1);
    }

    @Test
    void anEngineEventDropsTheListing() {
        String id = cache.createContainer(spec("a"));
        assertThat(cache.listContainers(Map.of()).getFirst().status()).isEqualTo(ContainerState.Status.CREATED);
        engine.crash("a", 3); // outside the cache: only the event tells it
        assertThat(cache.listContainers(Map.of()).getFirst().status()).isEqualTo(ContainerState.Status.EXITED);
        assertThat(engine.lists.get()).isEqualTo(2);
        assertThat(id).isNotBlank();
    }

    @Test
    void changesMadeThroughTheCacheAreSeenAtOnce() {
        String id = cache.createContainer(spec("a"));
        cache.listContainers(Map.of());
        cache.startContainer(id);
        assertThat(cache.listContainers(Map.of()).getFirst().running()).isTrue();
    }

    @Test
    void withoutAnEventStreamEveryListingGoesToTheEngine() {
        engine.watcher.disconnected();
        cache.listContainers(Map.of());
        cache.listContainers(Map.of());
        assertThat(engine.lists.get()).isEqualTo(2);
        engine.watcher.connected();
        cache.listContainers(Map.of());
        cache.listContainers(Map.of());
        assertThat(engine.lists.get()).isEqualTo(3);
    }

    @Test
    void aListingReadWhileAChangeArrivedIsNotKept() {
        CountingEngine racing = new CountingEngine() {
            @Override
            public List<ContainerState> listContainers(Map<String, String> labelFilter) {
                List<ContainerState> l = super.listContainers(labelFilter);
                if (lists.get() == 1) {
                    watcher.changed(); // an event lands while the first listing is on its way
                }
                return l;
            }
        };
        ListingCache c = new ListingCache(racing);
        c.listContainers(Map.of());
        c.listContainers(Map.of());
        assertThat(racing.lists.get()).isEqualTo(2);
    }
}
