package io.aixcl.gateway.http;

import io.aixcl.gateway.inference.Call;
import java.io.IOException;

/**
 * One endpoint: its method, the audit action it records, the protocol its errors speak, and what serves it.
 *
 * @param onIoThread the handler never blocks except inside {@link io.aixcl.gateway.inference.ResponseChannel#blocking},
 *                   so it may run on the I/O thread that read the request (a generation: whole answers are
 *                   asynchronous; streams and model loads move themselves to a thread)
 */
public record Route(String method, String action, Protocol protocol, boolean readsBody, boolean onIoThread,
                    Handler handler) {

    public enum Protocol { OPENAI, OLLAMA }

    @FunctionalInterface
    public interface Handler {
        void handle(Call call) throws IOException;
    }
}
