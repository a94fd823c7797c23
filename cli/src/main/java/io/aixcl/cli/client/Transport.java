package io.aixcl.cli.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/** How the CLI reaches a daemon: its Unix socket (the default) or a remote daemon's TLS listener. */
public interface Transport {

    Reply send(String method, String path, byte[] body) throws IOException;

    /** Whether a daemon answers there at all. */
    boolean answers();

    /** Where, for messages: a socket path or an https URL. */
    String where();

    record Reply(int status, InputStream body, Closeable connection) implements Closeable {
        @Override
        public void close() throws IOException {
            connection.close();
        }
    }
}
