package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditToolTest {

    @TempDir
    Path tmp;

    @Test
    void verifyReportsAValidLogWithItsSizeAndTheKeyItTrusted() throws Exception {
        Path data = tmp.resolve("audit");
        Path witness = tmp.resolve("witness");
        try (AuditStore store = AuditStore.open(AuditStoreConfig.of(data, witness))) {
            for (int i = 0; i < 3; i++) {
                store.append(Events.event(i));
            }
        }
        AuditTool.Report report = AuditTool.verify(data, Optional.of(witness), Optional.empty());
        assertThat(report.exitCode()).isZero();
        assertThat(report.text()).contains("VALID", "entries:   3", "witnessed: 3 entries",
                SigningKeyFiles.readPublic(witness.resolve("checkpoint.pub")).format()).doesNotContain("warning");
        assertThat(AuditTool.latestCheckpoint(data)).hasValueSatisfying(c -> assertThat(c).contains("\n3\n"));
    }

    @Test
    void verifyWithoutAWitnessWarnsThatItTrustsTheDataFolder() throws Exception {
        Path data = tmp.resolve("audit");
        try (AuditStore store = AuditStore.open(AuditStoreConfig.of(data, tmp.resolve("witness")))) {
            store.append(Events.event(0));
        }
        AuditTool.Report report = AuditTool.verify(data, Optional.empty(), Optional.empty());
        assertThat(report.valid()).isTrue();
        assertThat(report.text()).contains("warning: trusting the key in the data folder", "no witness checkpoint");
    }

    @Test
    void verifyOfATruncatedLogNamesTheFirstMissingEntryAndExitsNonZero() throws Exception {
        Path data = tmp.resolve("audit");
        Path witness = tmp.resolve("witness");
        try (AuditStore store = AuditStore.open(AuditStoreConfig.of(data, witness))) {
            for (int i = 0; i < 3; i++) {
                store.append(Events.event(i));
            }
        }
        Path segment = data.resolve(Segments.fileName(0));
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1);
        }
        assertThat(AuditTool.run(new String[] {"verify", data.toString(), "--witness", witness.toString()})).isEqualTo(1);
        AuditTool.Report report = AuditTool.verify(data, Optional.of(witness), Optional.empty());
        assertThat(report.text()).contains("INVALID at entry 2", "torn record");
    }

    @Test
    void aKeyFileThatIsNotAKeyFailsTheVerifyThoughTheScanHadStarted() throws Exception {
        Path data = tmp.resolve("audit");
        Path witness = tmp.resolve("witness");
        try (AuditStore store = AuditStore.open(AuditStoreConfig.of(data, witness))) {
            store.append(Events.event(0));
        }
        Path key = tmp.resolve("other.pub");
        Files.writeString(key, "not a key\n");
        assertThatThrownBy(() -> AuditTool.verify(data, Optional.of(witness), Optional.of(key)))
                .isInstanceOf(IOException.class).hasMessageStartingWith(key + ": not a verifier key");
        assertThat(AuditTool.run(new String[] {"verify", data.toString(), "--key", key.toString()})).isEqualTo(2);
    }
}
