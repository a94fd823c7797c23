package io.aixcl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.api.AixclPaths;
import io.aixcl.audit.AuditStore;
import io.aixcl.audit.AuditStoreConfig;
import io.aixcl.cli.commands.AuditCommand;
import io.aixcl.core.audit.AuditEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `audit verify` taken before picocli is built checks and prints exactly what the ordinary path does. */
class FastAuditVerifyTest {
    @TempDir
    Path home;

    private Map<String, String> env() {
        return Map.of("AIXCL_HOME", home.toString(), "HOME", home.toString());
    }

    private AixclPaths paths() {
        return AixclPaths.fromEnvironment(env(), 0);
    }

    private void writeLog(Path data, Path witness, int entries) throws IOException {
        try (AuditStore store = AuditStore.open(AuditStoreConfig.of(data, witness))) {
            for (int i = 0; i < entries; i++) {
                store.append(new AuditEvent(Instant.parse("2026-11-22T10:00:00Z").plusSeconds(i),
                        AuditEvent.Actor.uid(1000), "stack.start", "stack/s" + i, Map.of("profile", "usr"),
                        AuditEvent.Outcome.SUCCEEDED, null));
            }
        }
    }

    /** The report's own duration is the one line two runs may not share. */
    private static String untimed(String report) {
        return report.replaceAll("checked in [0-9.]+ s", "checked in - s");
    }

    private CliRun ordinary(String... args) {
        return CliRun.ordinary(home, args);
    }

    private CliRun fast(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            OptionalInt exit = FastPath.tryRun(args, o, System.err, () -> false, env(), paths());
            assertThat(exit).as("taken: %s", List.of(args)).isPresent();
            return new CliRun(exit.getAsInt(), out.toString(StandardCharsets.UTF_8), "");
        }
    }

    @Test
    void theDefaultFoldersVerifyAsOnTheOrdinaryPath() throws IOException {
        writeLog(AuditCommand.dataDir(paths()), AuditCommand.witnessDir(paths()), 40);

        CliRun fast = fast("audit", "verify");
        CliRun ordinary = ordinary("audit", "verify");

        assertThat(fast.exit()).isEqualTo(ordinary.exit()).isZero();
        assertThat(untimed(fast.out())).isEqualTo(untimed(ordinary.out())).contains("VALID", "entries:   40");
    }

    @Test
    void aTamperedLogFailsAsOnTheOrdinaryPathWithTheExplicitOptions() throws IOException {
        Path data = home.resolve("elsewhere/audit");
        Path witness = home.resolve("elsewhere/witness");
        writeLog(data, witness, 40);
        Path segment;
        try (Stream<Path> files = Files.walk(data)) {
            segment = files.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
        String[] args = {"audit", "verify", "--data", data.toString(), "--checkpoint",
                witness.resolve("checkpoint").toString(), "--key", witness.resolve("checkpoint.pub").toString()};

        CliRun fast = fast(args);
        CliRun ordinary = ordinary(args);

        assertThat(fast.exit()).isEqualTo(ordinary.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(untimed(fast.out())).isEqualTo(untimed(ordinary.out())).doesNotContain("VALID\n");
    }

    @Test
    void otherFormsAndFailuresAreLeftToTheOrdinaryPath() throws IOException {
        writeLog(AuditCommand.dataDir(paths()), AuditCommand.witnessDir(paths()), 3);
        for (List<String> args : List.of(List.of("audit", "verify", "--help"),
                List.of("audit", "verify", "--data"), List.of("audit", "verify", "--data=x"),
                List.of("audit", "verify", "--data", "a", "--data", "b"), List.of("audit", "verify", "--unknown", "x"),
                List.of("audit", "verify", "--key", "--data"),
                List.of("audit", "verify", "--data", home.resolve("missing").toString()))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(FastPath.tryRun(args.toArray(String[]::new), new PrintStream(out), System.err, () -> false,
                    env(), paths())).as("%s", args).isEmpty();
            assertThat(out.size()).as("nothing printed for %s", args).isZero();
        }
    }
}
