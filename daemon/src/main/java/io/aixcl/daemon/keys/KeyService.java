package io.aixcl.daemon.keys;

import io.aixcl.core.AixclException;
import io.aixcl.core.keys.KeyAuthority;
import io.aixcl.core.keys.KeyDecision;
import io.aixcl.state.ApiKey;
import io.aixcl.state.ApiKeys;
import io.aixcl.state.KeyUsage;
import io.aixcl.state.UsageDelta;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Issues, lists and revokes inference keys, and is the gateway's {@link KeyAuthority}.
 *
 * <p>Every key is held in memory by hash ({@link KeyAccount}): authorizing a request is a SHA-256, a map lookup and a
 * few compare-and-sets on that key's own counters, with no database round trip and no lock shared between keys.
 * The memory is loaded from the database at first use; creations and revocations write the database first, then
 * the memory, so a revocation holds for every request that starts after it is acknowledged.
 *
 * <p>Usage is written behind: settled usage collects in memory and is flushed in one transaction every second and at
 * {@link #close}. A crash loses at most the usage settled since the last flush (about one second of counts); after a
 * restart the budget starts from what was flushed, so a key can overspend its budget by at most that unflushed usage,
 * never more. Reservations are memory only: a restart ends the requests that held them.
 */
public final class KeyService implements KeyAuthority, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KeyService.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern MODEL = Pattern.compile("[^\\s\\p{Cntrl}]{1,200}");
    static final int MAX_MODELS = 100;
    public static final Duration FLUSH_EVERY = Duration.ofSeconds(1);

    private final Supplier<ApiKeys> keys;
    private final InstantSource clock;
    private final Duration flushEvery;
    /** Guards loading, creating and revoking (rare, control-plane); never taken by {@link #authorize}. */
    private final Object lock = new Object();
    private final Object flushing = new Object();
    private volatile Map<String, KeyAccount> byHash;
    private final Map<String, KeyAccount> byId = new ConcurrentHashMap<>();
    private ScheduledExecutorService flusher;
    private boolean closed;

    /** {@code keys} is asked for at first use, so a daemon that never sees a key never opens the database. */
    public KeyService(Supplier<ApiKeys> keys, InstantSource clock) {
        this(keys, clock, FLUSH_EVERY);
    }

    public KeyService(Supplier<ApiKeys> keys, InstantSource clock, Duration flushEvery) {
        this.keys = Objects.requireNonNull(keys, "keys is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.flushEvery = Objects.requireNonNull(flushEvery, "flushEvery is null");
    }

    /** A new key and its value, which exists only here: the database keeps its hash. */
    public record Issued(ApiKey key, String secret) {}

    /** A key's usage as stored plus, with a budget, what is left to reserve now. */
    public record Usage(ApiKey key, KeyUsage settled, OptionalLong budgetLeft) {}

    public Issued create(KeyRequest request) {
        Objects.requireNonNull(request, "request is null");
        validate(request);
        Instant now = clock.instant();
        String secret = KeySecrets.newKey();
        ApiKey key = new ApiKey(KeySecrets.newId(), request.name(), KeySecrets.sha256Hex(secret), now,
                request.lifetime().map(now::plus), Optional.empty(), Optional.empty(), request.limits(),
                request.models());
        Map<String, KeyAccount> accounts = accounts();
        synchronized (lock) {
            ApiKey stored = keys.get().insert(key);
            remember(accounts, stored, KeyUsage.none(stored.id()));
            return new Issued(stored, secret);
        }
    }

    /** Every key, revoked ones included; never a key's value. Pending usage is flushed first, for last use. */
    public List<ApiKey> list() {
        flushQuietly();
        return keys.get().list();
    }

    public ApiKey revoke(String idOrName) {
        Map<String, KeyAccount> accounts = accounts();
        synchronized (lock) {
            ApiKey revoked = keys.get().revoke(idOrName, clock.instant());
            KeyAccount account = accounts.get(revoked.sha256Hex());
            if (account != null) {
                account.revoke(revoked.revoked().orElseThrow());
            }
            return revoked;
        }
    }

    /** Usage of every key, or of the one with this id or name (the one in force, else the latest revoked). */
    public List<Usage> usage(Optional<String> idOrName) {
        flushQuietly();
        List<ApiKey> all = keys.get().list();
        Map<String, KeyUsage> settled = keys.get().usage();
        List<ApiKey> chosen = idOrName.map(ref -> List.of(pick(all, ref))).orElse(all);
        return chosen.stream().map(k -> {
            KeyUsage u = settled.getOrDefault(k.id(), KeyUsage.none(k.id()));
            OptionalLong left = OptionalLong.empty();
            if (k.limits().budgetTokens().isPresent()) {
                KeyAccount a = byId.get(k.id());
                long used = Math.max(u.totalTokens(), a == null ? 0 : a.committedTokens());
                left = OptionalLong.of(Math.max(0, k.limits().budgetTokens().getAsLong() - used));
            }
            return new Usage(k, u, left);
        }).toList();
    }

    @Override
    public KeyDecision authorize(String presented, String model, long reserveTokens) {
        if (reserveTokens < 0) {
            throw new IllegalArgumentException("reserveTokens is negative: " + reserveTokens);
        }
        if (presented == null || presented.isEmpty()) {
            return new KeyDecision.Refused(KeyDecision.Reason.MISSING, "no API key (Authorization: Bearer aixk_...)",
                    Optional.empty(), Optional.empty());
        }
        KeyAccount account = find(presented);
        if (account == null) {
            return unknown();
        }
        return account.authorize(model, reserveTokens);
    }

    @Override
    public boolean allows(String presented, String model) {
        KeyAccount account = presented == null ? null : find(presented);
        return account != null && account.refusal(model, clock.millis()).isEmpty();
    }

    /** Writes the usage settled since the last flush, in one transaction; on failure it stays pending. */
    public void flush() {
        synchronized (flushing) {
            if (byHash == null) {
                return;
            }
            List<PendingUsage> sources = new ArrayList<>();
            List<UsageDelta> deltas = new ArrayList<>();
            for (KeyAccount a : byId.values()) {
                a.pending().drain().ifPresent(d -> {
                    sources.add(a.pending());
                    deltas.add(d);
                });
            }
            if (deltas.isEmpty()) {
                return;
            }
            try {
                keys.get().addUsage(deltas);
            } catch (RuntimeException e) {
                for (int i = 0; i < deltas.size(); i++) {
                    sources.get(i).restore(deltas.get(i));
                }
                throw e;
            }
        }
    }

    /** Stops the periodic flush and writes what is pending. */
    @Override
    public void close() {
        ScheduledExecutorService f;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            f = flusher;
        }
        if (f != null) {
            f.shutdown();
            try {
                f.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushQuietly();
    }

    private KeyAccount find(String presented) {
        // The format is public: anything else is unknown without hashing it.
        if (!presented.startsWith(KeySecrets.PREFIX) || presented.length() > 128) {
            return null;
        }
        // Looked up by hash, so the time a lookup takes says nothing about any stored key.
        return accounts().get(KeySecrets.sha256Hex(presented));
    }

    private static KeyDecision.Refused unknown() {
        return new KeyDecision.Refused(KeyDecision.Reason.UNKNOWN, "unknown API key", Optional.empty(),
                Optional.empty());
    }

    private Map<String, KeyAccount> accounts() {
        Map<String, KeyAccount> loaded = byHash;
        if (loaded != null) {
            return loaded;
        }
        synchronized (lock) {
            if (byHash == null) {
                Map<String, KeyAccount> accounts = new ConcurrentHashMap<>();
                ApiKeys store = keys.get();
                Map<String, KeyUsage> usage = store.usage();
                for (ApiKey k : store.list()) {
                    remember(accounts, k, usage.getOrDefault(k.id(), KeyUsage.none(k.id())));
                }
                if (!closed) {
                    flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "key-usage-flush");
                        t.setDaemon(true);
                        return t;
                    });
                    long every = flushEvery.toMillis();
                    flusher.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.MILLISECONDS);
                }
                byHash = accounts;
            }
            return byHash;
        }
    }

    private void remember(Map<String, KeyAccount> accounts, ApiKey key, KeyUsage usage) {
        KeyAccount account = new KeyAccount(key, usage, clock);
        accounts.put(key.sha256Hex(), account);
        byId.put(key.id(), account);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot write key usage yet (kept for the next flush): " + e.getMessage());
        }
    }

    private static ApiKey pick(List<ApiKey> all, String ref) {
        return all.stream().filter(k -> k.id().equals(ref)).findFirst()
                .or(() -> all.stream().filter(k -> k.name().equals(ref) && k.revoked().isEmpty()).findFirst())
                .or(() -> all.stream().filter(k -> k.name().equals(ref)).reduce((a, b) -> b))
                .orElseThrow(() -> new AixclException.NotFound("no key with id or name '" + ref
                        + "' (see 'aixcl keys list')"));
    }

    private static void validate(KeyRequest r) {
        if (r.name() == null || !NAME.matcher(r.name()).matches()) {
            throw new AixclException.InvalidInput("invalid key name '" + r.name() + "': expected letters, digits, "
                    + "'.', '_' or '-', starting with a letter or digit, at most 64 characters");
        }
        if (r.models().size() > MAX_MODELS) {
            throw new AixclException.InvalidInput("too many models: " + r.models().size() + ", at most "
                    + MAX_MODELS);
        }
        for (String m : r.models()) {
            if (m == null || !MODEL.matcher(m).matches()) {
                throw new AixclException.InvalidInput("invalid model id '" + m + "': expected 1 to 200 characters "
                        + "without spaces or control characters, exactly as requests name it");
            }
        }
    }
}
