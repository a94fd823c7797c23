package io.aixcl.cli.commands;

import io.aixcl.api.Json;
import java.io.PrintStream;

final class Printing {
    private Printing() {}

    static void json(PrintStream out, Object value) {
        try {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
