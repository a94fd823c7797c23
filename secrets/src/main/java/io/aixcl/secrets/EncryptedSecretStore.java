package io.aixcl.secrets;

import com.fasterxml.jackson.core.JacksonException;
import io.aixcl.core.AixclException;
import io.aixcl.core.secrets.SecretPolicies;
import io.aixcl.core.secrets.SecretPolicy;
import io.aixcl.core.secrets.SecretStore;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The secret store on disk: one file per secret ({@code NAME.secret}, JSON, 0600, in a 0700 folder) holding its
 * metadata and its value sealed with AES-256-GCM under the {@link MasterKey}. The authenticated data is the name,
 * version and dates, so a file renamed, copied over another, or edited does not decrypt. Every write is atomic.
 *
 * <p>Nothing is ever overwritten because it could not be read: a damaged file is reported with what to do, and left
 * as it is. Rolling a file back to an older copy of the same secret is not detected (that needs a counter kept
 * elsewhere, such as the audit log).
 */
public final class EncryptedSecretStore implements SecretStore, AutoCloseable {
    static final String SUFFIX = ".secret";
    private static final int FORMAT = 1;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    private final Path dir;
    private final MasterKey key;
    private final Clock clock;
    private final Consumer<char[]> valueSeen;

    /** One secret file as stored. {@code rotated} is null until the first rotation. */
    record Entry(int format, String name, long version, String created, String rotated, byte[] nonce,
                 byte[] ciphertext) {}

    EncryptedSecretStore(Path dir, MasterKey key, Clock clock, Consumer<char[]> valueSeen) {
        this.dir = Objects.requireNonNull(dir, "dir is null");
        this.key = Objects.requireNonNull(key, "key is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.valueSeen = Objects.requireNonNull(valueSeen, "valueSeen is null");
    }

    /**
     * Opens (at first use: creates) the store in {@code dir}, unlocking it with {@code source}. {@code valueSeen} is
     * told every value the store generates or reveals (the daemon's {@code Redactor} learns them from it).
     */
    public static EncryptedSecretStore open(Path dir, KeySource source, Consumer<char[]> valueSeen) {
        return open(dir, source, Argon2idKdf.RECOMMENDED, Clock.systemUTC(), valueSeen);
    }

    static EncryptedSecretStore open(Path dir, KeySource source, Argon2idKdf kdfForNew, Clock clock,
                                     Consumer<char[]> valueSeen) {
        try {
            AtomicFiles.privateDirectory(dir);
        } catch (IOException e) {
            throw new AixclException.Failed("cannot create the secret store folder " + dir + ": " + e, e);
        }
        return new EncryptedSecretStore(dir, Keyring.unlock(dir, source, kdfForNew), clock, valueSeen);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public synchronized List<SecretInfo> list() {
        List<SecretInfo> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted(Comparator.comparing(Path::toString)).toList()) {
                String file = f.getFileName().toString();
                if (file.endsWith(SUFFIX) && !file.startsWith(".")) {
                    String name = file.substring(0, file.length() - SUFFIX.length());
                    read(name).ifPresent(e -> out.add(info(e)));
                }
            }
        } catch (IOException e) {
            throw new AixclException.Failed("cannot list the secrets in " + dir + ": " + e, e);
        }
        return out;
    }

    @Override
    public synchronized SecretInfo ensure(String name, SecretPolicies policies) {
        checkName(name);
        SecretPolicy policy = policies.of(name);
        Optional<Entry> existing = read(name);
        if (policy instanceof SecretPolicy.Template && existing.isPresent()) {
            return refreshDerived(name, policies, existing.get());
        }
        if (existing.isPresent()) {
            return info(existing.get());
        }
        char[] value = generate(policy, policies);
        try {
            String now = now();
            return info(write(name, 1, now, null, value));
        } finally {
            Arrays.fill(value, '\0');
        }
    }

    /** A derived secret always equals its template over its sources: rewritten when they (or it) changed. */
    private SecretInfo refreshDerived(String name, SecretPolicies policies, Entry existing) {
        char[] rendered = generate(policies.of(name), policies);
        char[] current = decrypt(existing);
        try {
            if (Arrays.equals(rendered, current)) {
                return info(existing);
            }
            return info(write(name, existing.version() + 1, existing.created(), now(), rendered));
        } finally {
            Arrays.fill(rendered, '\0');
            Arrays.fill(current, '\0');
        }
    }

    @Override
    public synchronized List<SecretInfo> rotate(String name, SecretPolicies policies) {
        return rotate(name, policies, new ArrayList<>());
    }

    @Override
    public synchronized Rotation rotateRevertibly(String name, SecretPolicies policies) {
        List<Entry> previous = new ArrayList<>();
        List<SecretInfo> changed = rotate(name, policies, previous);
        return new RevertibleRotation(changed, previous);
    }

    /** Rotates {@code name}; {@code previous} receives the entries that were replaced (sealed, never plaintext). */
    private List<SecretInfo> rotate(String name, SecretPolicies policies, List<Entry> previous) {
        checkName(name);
        SecretPolicy policy = policies.of(name);
        if (policy instanceof SecretPolicy.Template t) {
            throw new AixclException.InvalidInput("secret '" + name + "' is derived from "
                    + String.join(", ", t.sources()) + ": rotate " + (t.sources().size() == 1 ? "that" : "those")
                    + " and it follows");
        }
        Entry old = read(name).orElseThrow(() -> new AixclException.NotFound("no secret '" + name + "' yet: it is "
                + "generated when a service that uses it first starts"));
        // Refuse to replace what cannot be read: a damaged file is evidence, and maybe recoverable.
        Arrays.fill(decrypt(old), '\0');
        char[] value = generate(policy, policies);
        List<SecretInfo> changed = new ArrayList<>();
        try {
            changed.add(info(write(name, old.version() + 1, old.created(), now(), value)));
            previous.add(old);
        } finally {
            Arrays.fill(value, '\0');
        }
        for (String derived : policies.derivedFrom(name)) {
            Optional<Entry> e = read(derived);
            if (e.isPresent()) {
                SecretInfo after = refreshDerived(derived, policies, e.get());
                if (!after.equals(info(e.get()))) {
                    changed.add(after);
                    previous.add(e.get());
                }
            }
        }
        return List.copyOf(changed);
    }

    /** Writes each previous entry's value back as the next version of its secret. */
    private synchronized List<SecretInfo> restore(List<Entry> previous) {
        List<SecretInfo> out = new ArrayList<>();
        for (Entry before : previous) {
            Entry current = read(before.name()).orElseThrow(() -> new AixclException.Failed("secret '"
                    + before.name() + "' disappeared during its rotation; its previous value cannot be put back",
                    null));
            char[] value = decrypt(before);
            try {
                out.add(info(write(before.name(), current.version() + 1, current.created(), now(), value)));
            } finally {
                Arrays.fill(value, '\0');
            }
        }
        return List.copyOf(out);
    }

    /** Holds the replaced entries as they were stored (encrypted), never their plaintext. */
    private final class RevertibleRotation implements Rotation {
        private final List<SecretInfo> changed;
        private List<Entry> previous;

        RevertibleRotation(List<SecretInfo> changed, List<Entry> previous) {
            this.changed = changed;
            this.previous = List.copyOf(previous);
        }

        @Override
        public List<SecretInfo> changed() {
            return changed;
        }

        @Override
        public synchronized List<SecretInfo> revert() {
            if (previous == null) {
                throw new IllegalStateException("this rotation was already reverted or closed");
            }
            List<Entry> entries = previous;
            previous = null;
            return restore(entries);
        }

        @Override
        public synchronized void close() {
            previous = null;
        }
    }

    @Override
    public synchronized char[] reveal(String name) {
        checkName(name);
        Entry e = read(name).orElseThrow(() -> new AixclException.NotFound("no secret '" + name + "'"));
        return decrypt(e);
    }

    @Override
    public void close() {
        key.close();
    }

    private char[] generate(SecretPolicy policy, SecretPolicies policies) {
        char[] value = SecretValues.generate(policy, source -> {
            ensure(source, policies);
            return reveal(source);
        });
        valueSeen.accept(value);
        return value;
    }

    private Entry write(String name, long version, String created, String rotated, char[] value) {
        byte[] plain = SecretValues.utf8(value);
        try {
            SecretCipher.Sealed sealed = SecretCipher.seal(key, plain, aad(name, version, created, rotated));
            Entry e = new Entry(FORMAT, name, version, created, rotated, sealed.nonce(), sealed.ciphertext());
            AtomicFiles.write(file(name), StoreJson.MAPPER.writeValueAsBytes(e));
            valueSeen.accept(value);
            return e;
        } catch (IOException e) {
            throw new AixclException.Failed("cannot write secret '" + name + "' to " + file(name) + ": " + e, e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private Optional<Entry> read(String name) {
        Path f = file(name);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new AixclException.Failed("cannot read secret '" + name + "' from " + f + ": " + e, e);
        }
        Entry e;
        try {
            e = StoreJson.MAPPER.readValue(bytes, Entry.class);
        } catch (JacksonException ex) {
            throw damaged(name, "it is not a secret file (" + ex.getOriginalMessage() + ")");
        } catch (IOException ex) {
            throw damaged(name, ex.toString());
        }
        if (e.format() != FORMAT) {
            throw damaged(name, "unknown format " + e.format());
        }
        if (!name.equals(e.name())) {
            throw damaged(name, "it holds secret '" + e.name() + "': files were renamed or copied over each other");
        }
        if (e.version() < 1 || e.created() == null || e.nonce() == null || e.ciphertext() == null) {
            throw damaged(name, "fields are missing");
        }
        try {
            info(e);
        } catch (java.time.format.DateTimeParseException ex) {
            throw damaged(name, "a date is not a timestamp (" + ex.getParsedString() + ")");
        }
        return Optional.of(e);
    }

    private char[] decrypt(Entry e) {
        byte[] plain;
        try {
            plain = SecretCipher.open(key, new SecretCipher.Sealed(e.nonce(), e.ciphertext()),
                    aad(e.name(), e.version(), e.created(), e.rotated()));
        } catch (SecretCipher.Unauthentic ex) {
            throw damaged(e.name(), "it does not decrypt with " + key.origin() + ", which opens this store: the "
                    + "file was changed, or copied from another secret or store");
        }
        try {
            char[] value = SecretValues.chars(plain);
            valueSeen.accept(value);
            return value;
        } catch (CharacterCodingException ex) {
            throw damaged(e.name(), "its value is not UTF-8 text");
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private AixclException.Failed damaged(String name, String why) {
        return new AixclException.Failed("secret '" + name + "' in " + file(name) + " is damaged: " + why + ". It is "
                + "left as it is: restore it from a backup, or move it away and the next start generates a new value",
                null);
    }

    /** Binds the ciphertext to its name, version and dates: none can be changed or swapped without detection. */
    private static byte[] aad(String name, long version, String created, String rotated) {
        return ("aixcl-secret/" + FORMAT + "\n" + name + "\n" + version + "\n" + created + "\n"
                + (rotated == null ? "" : rotated)).getBytes(StandardCharsets.UTF_8);
    }

    private static SecretInfo info(Entry e) {
        return new SecretInfo(e.name(), Instant.parse(e.created()), e.rotated() == null ? null
                : Instant.parse(e.rotated()));
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private Path file(String name) {
        return dir.resolve(name + SUFFIX);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new AixclException.InvalidInput("invalid secret name '" + name + "': expected lowercase letters, "
                    + "digits, '.', '_', '-', starting with a letter or digit");
        }
    }
}
