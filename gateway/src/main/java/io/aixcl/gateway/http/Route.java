package io.aixcl.gateway.http;

import io.aixcl.gateway.inference.Call;
import java.io.IOException;

/** One endpoint: its method, the audit action it records, the protocol its errors speak, and what serves it. */
public record Route(String method, String action, Protocol protocol, boolean readsBody, Handler handler) {

    public enum Protocol { OPENAI, OLLAMA }

    @FunctionalInterface
    public interface Handler {
        void handle(Call call) throws IOException;
    }
}
