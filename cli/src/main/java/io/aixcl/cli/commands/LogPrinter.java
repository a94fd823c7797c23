package io.aixcl.cli.commands;

import io.aixcl.api.Dtos;

final class LogPrinter {
    private LogPrinter() {}

    static void stream(Context c, String path, boolean json, boolean prefix) {
        c.client().streamLogs(path, e -> {
            Dtos.LogLine l = e.log();
            if (l == null) {
                return;
            }
            if (json) {
                try {
                    c.out().println(io.aixcl.api.Json.MAPPER.writeValueAsString(l));
                } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                    throw new IllegalStateException(ex);
                }
            } else {
                c.out().println(prefix ? l.service() + " | " + l.text() : l.text());
            }
            c.out().flush();
        });
    }
}
