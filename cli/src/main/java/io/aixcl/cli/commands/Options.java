package io.aixcl.cli.commands;

import io.aixcl.cli.CliException;
import io.aixcl.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by commands. */
public final class Options {
    private Options() {}

    public static final class StackSelection {
        @Option(names = {"-p", "--profile"}, paramLabel = "PROFILE",
                description = "Profile to act on (default: the running one for stop/status, else the configured default).")
        public String profile;

        @Option(names = {"-f", "--stack-file"}, paramLabel = "FILE",
                description = "Stack file to use instead of the one in the config folder.")
        public Path stackFile;

        /** Absolute, because the daemon reads it and may run in another working directory. */
        public String stackFilePath() {
            if (stackFile == null) {
                return null;
            }
            Path p = stackFile.toAbsolutePath().normalize();
            if (!Files.isRegularFile(p)) {
                throw new CliException(ExitCodes.INVALID_INPUT, "stack file " + p + " does not exist");
            }
            return p.toString();
        }

        public String query() {
            StringBuilder q = new StringBuilder();
            if (profile != null) {
                q.append("profile=").append(enc(profile));
            }
            String f = stackFilePath();
            if (f != null) {
                q.append(q.isEmpty() ? "" : "&").append("stackFile=").append(enc(f));
            }
            return q.toString();
        }
    }

    public static final class JsonOutput {
        @Option(names = "--json", description = "Print machine-readable JSON.")
        public boolean json;
    }

    public static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String withQuery(String path, String query) {
        return query == null || query.isEmpty() ? path : path + "?" + query;
    }
}
