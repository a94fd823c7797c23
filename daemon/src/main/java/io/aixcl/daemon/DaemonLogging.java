package io.aixcl.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.aixcl.core.secrets.Redactor;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** One log file in the data folder, one line per record. */
final class DaemonLogging {
    private DaemonLogging() {}

    static void configure(Path logFile) throws IOException {
        Files.createDirectories(logFile.getParent());
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        LogManager.getLogManager().reset();
        // One plain file (JUL's rotation would rename it aixcld.log.0); append across restarts.
        FileHandler handler = new FileHandler(logFile.toString().replace("%", "%%"), true);
        handler.setFormatter(new SimpleFormatter());
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        Logger.getLogger("org.eclipse.jetty").setLevel(Level.WARNING);
        Logger.getLogger("com.github.dockerjava").setLevel(Level.WARNING);
        Logger.getLogger("org.apache.hc").setLevel(Level.WARNING);
    }

    /** From now on, every record (message and stack trace) is scrubbed of known secret values before it is written. */
    static void redactWith(Redactor redactor) {
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.setFormatter(new RedactingFormatter(h.getFormatter(), redactor));
        }
    }

    /** Scrubs the finished line, so the message, its parameters and any stack trace are all covered. */
    static final class RedactingFormatter extends Formatter {
        private final Formatter inner;
        private final Redactor redactor;

        RedactingFormatter(Formatter inner, Redactor redactor) {
            this.inner = inner;
            this.redactor = redactor;
        }

        @Override
        public String format(LogRecord record) {
            return redactor.scrub(inner.format(record));
        }
    }
}
