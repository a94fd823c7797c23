package io.aixcl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.secrets.Redactor;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

class DaemonLogRedactionTest {

    @Test
    void messageAndStackTraceOfALogRecordAreScrubbed() {
        Redactor redactor = new Redactor();
        redactor.learn("Zq8-pW_3kLm9aB2cXy7".toCharArray());
        LogRecord record = new LogRecord(Level.SEVERE, "connecting with Zq8-pW_3kLm9aB2cXy7");
        record.setThrown(new IllegalStateException("bad password Zq8-pW_3kLm9aB2cXy7"));
        String line = new DaemonLogging.RedactingFormatter(new SimpleFormatter(), redactor).format(record);
        assertThat(line).doesNotContain("Zq8-pW_3kLm9aB2cXy7").contains("connecting with [REDACTED]")
                .contains("bad password [REDACTED]");
    }
}
