package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process appending from many threads is killed with SIGKILL at random moments, again and again. After each kill
 * the log reopens, holds every entry that was acknowledged, and verifies.
 */
class AuditCrashTest {

    private static final int ROUNDS = 12;
    private static final int THREADS = 8;

    @TempDir
    Path tmp;

    @Test
    void noAcknowledgedEntryIsLostWhenTheWriterIsKilledAgainAndAgain() throws Exception {
        Path data = tmp.resolve("data/audit");
        Path witness = tmp.resolve("config/audit-witness");
        Random random = new Random();
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        long trims = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), CrashingAppender.class.getName(),
                    data.toString(), witness.toString(), Integer.toString(THREADS))
                    .redirectError(tmp.resolve("child-" + round + ".err").toFile())
                    .start();
            CountDownLatch opened = new CountDownLatch(1);
            // Killed only once appends are being acknowledged: on a loaded machine a fixed delay after opening
            // could kill a child that had not yet written anything, and prove nothing.
            CountDownLatch appending = new CountDownLatch(1);
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        String[] f = line.split(" ");
                        if (f[0].equals("open")) {
                            opened.countDown();
                        } else if (f[0].equals("ack") && f.length == 3) {
                            // A line cut short by the kill is not an acknowledgement anyone saw.
                            acknowledged.put(Long.parseLong(f[1]), f[2]);
                            appending.countDown();
                        }
                    }
                } catch (Exception e) {
                    // the pipe breaks when the child dies
                }
            });
            assertThat(opened.await(60, TimeUnit.SECONDS)).as("child of round %d opened the log", round).isTrue();
            assertThat(appending.await(60, TimeUnit.SECONDS)).as("child of round %d appends", round).isTrue();
            Thread.sleep(30 + random.nextInt(250));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join();

            try (AuditStore store = AuditStore.open(CrashingAppender.config(data, witness))) {
                assertThat(store.openReport().verification()).as("round %d", round)
                        .isInstanceOf(Verification.Valid.class);
                trims += store.openReport().trimmedBytes() > 0 ? 1 : 0;
                List<AuditRecord> all = store.read(0, Math.toIntExact(store.size()));
                assertThat(all).hasSize(Math.toIntExact(store.size()));
                for (Map.Entry<Long, String> ack : acknowledged.entrySet()) {
                    assertThat(ack.getKey()).as("acknowledged entry is in the log").isLessThan(store.size());
                    assertThat(all.get(Math.toIntExact(ack.getKey())).leafHash().hex())
                            .as("entry %d is the one acknowledged", ack.getKey()).isEqualTo(ack.getValue());
                }
            }
            NoteVerifier trusted = SigningKeyFiles.readPublic(witness.resolve("checkpoint.pub"));
            assertThat(AuditVerifier.verify(data, Optional.of(witness), trusted)).as("round %d", round)
                    .isInstanceOf(Verification.Valid.class);
        }
        assertThat(acknowledged).as("the children got entries acknowledged").hasSizeGreaterThan(ROUNDS);
        System.out.printf("crash test: %d rounds, %d acknowledged entries, %d torn tails trimmed%n", ROUNDS,
                acknowledged.size(), trims);
    }
}
