package io.aixcl.models;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

/**
 * Downloads in flight, one per partial key: a second pull of the same blob joins the running download (and its
 * progress) instead of starting another. Across processes the partial's lock file serialises them; whoever gets
 * it second finds the blob already published.
 */
final class BlobDownloads implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BlobDownloads.class.getName());

    /** What to fetch; {@code key} names the partial files (the digest's file name, or a hash of the URL). */
    record Job(String key, URI uri, Optional<Digest> expected, long size, boolean allowInsecureHttp, String label) {}

    private final StoreLayout layout;
    private final BlobStore blobs;
    private final SafeHttp http;
    private final StallWatchdog watchdog;
    private final ModelStoreSettings settings;
    private final ConcurrentHashMap<String, Shared> inflight = new ConcurrentHashMap<>();
    private volatile boolean closed;

    BlobDownloads(StoreLayout layout, BlobStore blobs, SafeHttp http, StallWatchdog watchdog, ModelStoreSettings settings) {
        this.layout = layout;
        this.blobs = blobs;
        this.http = http;
        this.watchdog = watchdog;
        this.settings = settings;
    }

    /** Digests being downloaded now: gc leaves them alone. */
    java.util.Set<String> activeKeys() {
        return java.util.Set.copyOf(inflight.keySet());
    }

    /** Blocks until the blob is in the store (verified) and returns its digest. */
    RangedDownload.Outcome fetch(Job job, RangedDownload.Listener listener) {
        if (closed) {
            throw new AixclException.Cancelled("the model store is closed");
        }
        Shared[] created = new Shared[1];
        Shared shared = inflight.compute(job.key(), (k, existing) -> {
            if (existing != null) {
                return existing;
            }
            created[0] = new Shared(job);
            return created[0];
        });
        shared.join(listener);
        if (created[0] != null) {
            Thread.ofVirtual().name("aixcl-download-" + job.key()).start(shared::run);
        }
        try {
            return shared.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AixclException.Cancelled("pull of " + job.label() + " was interrupted; its partial download stays for a resume");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new AixclException.Failed("download of " + job.label() + " failed: " + e.getCause(), e.getCause());
        } finally {
            shared.leave(listener);
        }
    }

    @Override
    public void close() {
        closed = true;
        inflight.values().forEach(Shared::cancel);
        for (Shared s : inflight.values()) {
            try {
                s.result.get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // cancelled downloads end with an exception; we only wait for them to stop writing
            }
        }
    }

    /** One download and everyone waiting for it; fans its progress out to each waiter. */
    private final class Shared implements RangedDownload.Listener {
        private final Job job;
        private final CompletableFuture<RangedDownload.Outcome> result = new CompletableFuture<>();
        private final List<RangedDownload.Listener> listeners = new CopyOnWriteArrayList<>();
        private volatile RangedDownload download;
        private volatile boolean cancelled;
        private long size = -2; // -2: not started
        private long bytes;

        Shared(Job job) {
            this.job = job;
        }

        synchronized void join(RangedDownload.Listener l) {
            listeners.add(l);
            if (size != -2) {
                l.started(size, bytes); // a late joiner sees what is already there as resumed
            }
        }

        synchronized void leave(RangedDownload.Listener l) {
            listeners.remove(l);
            if (listeners.isEmpty() && !result.isDone()) {
                cancel(); // nobody waits any more: stop, keeping the partial for a later pull
            }
        }

        void cancel() {
            cancelled = true;
            RangedDownload d = download;
            if (d != null) {
                d.cancel();
            }
        }

        void run() {
            FileLocks.Held lock = null;
            try {
                lock = FileLocks.acquire(layout.partialLock(job.key()));
                if (job.expected().isPresent() && blobs.contains(job.expected().get(), job.size())) {
                    // Another process published it while we waited for the lock.
                    blobs.touch(job.expected().get());
                    started(job.size(), job.size());
                    result.complete(new RangedDownload.Outcome(job.expected().get(), job.size(), job.size()));
                    return;
                }
                var d = new RangedDownload(http, watchdog, settings, layout.partialData(job.key()),
                        layout.partialRecord(job.key()), new RangedDownload.Source(job.uri(), job.expected(), job.size(),
                        job.allowInsecureHttp(), job.label()), this);
                download = d;
                if (cancelled) {
                    throw new AixclException.Cancelled("download of " + job.label() + " was cancelled");
                }
                RangedDownload.Outcome outcome = d.run();
                long t = System.nanoTime();
                blobs.publish(layout.partialData(job.key()), outcome.digest());
                LOG.log(System.Logger.Level.INFO, "published {0} in {1} ms", outcome.digest(),
                        String.valueOf((System.nanoTime() - t) / 1_000_000));
                BlobStore.deleteQuietly(layout.partialRecord(job.key()));
                // Deleted while held: a process waiting on the old file notices and locks afresh (FileLocks).
                BlobStore.deleteQuietly(layout.partialLock(job.key()));
                result.complete(outcome);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                if (lock != null) {
                    lock.close();
                }
                inflight.remove(job.key(), this);
            }
        }

        @Override
        public synchronized void started(long blobSize, long resumedFrom) {
            size = blobSize;
            bytes = resumedFrom;
            listeners.forEach(l -> l.started(blobSize, resumedFrom));
        }

        @Override
        public void transferred(long delta) {
            synchronized (this) {
                bytes += delta;
            }
            listeners.forEach(l -> l.transferred(delta));
        }

        @Override
        public void retrying(int attempt, Duration delay, String reason) {
            listeners.forEach(l -> l.retrying(attempt, delay, reason));
        }
    }
}
