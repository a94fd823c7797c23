package io.aixcl.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.inference.InferenceException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class UpstreamFailuresTest {

    private static final String EXCHANGE = "POST http://127.0.0.1:9/v1/chat/completions";

    @Test
    void aResetBeforeTheRequestWentOutIsAFailedConnect() {
        // Seen in CI: connecting to a just-closed listener gave ECONNRESET, not ECONNREFUSED.
        InferenceException failure = UpstreamFailures.transport(EXCHANGE,
                new SocketException("Connection reset by peer"), false);

        assertThat(failure).isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessage(EXCHANGE + ": cannot connect (Connection reset by peer)");
        assertThat(UpstreamFailures.upstreamDown(new SocketException("Connection reset by peer"), false)).isTrue();
        assertThat(UpstreamFailures.upstreamDown(new SocketException("Connection reset by peer"), true)).isFalse();
    }

    @Test
    void aResetAfterTheRequestWentOutIsABrokenConnection() {
        assertThat(UpstreamFailures.transport(EXCHANGE, new SocketException("Connection reset by peer"), true))
                .hasMessage(EXCHANGE + ": the connection broke (Connection reset by peer)");
        assertThat(UpstreamFailures.transport(EXCHANGE, new EOFException(), true))
                .hasMessage(EXCHANGE + ": the upstream closed the connection");
    }

    @Test
    void aRefusalReadsTheSameWhicheverWayItIsSeen() {
        var refused = new ConnectException("Connection refused");

        assertThat(UpstreamFailures.transport(EXCHANGE, refused, false).getMessage())
                .isEqualTo(UpstreamFailures.transport(EXCHANGE, refused, true).getMessage())
                .isEqualTo(EXCHANGE + ": cannot connect (Connection refused)");
    }

    @Test
    void anUnknownHostKeepsItsOwnWordsBeforeAnyConnection() {
        assertThat(UpstreamFailures.transport(EXCHANGE, new UnknownHostException("llm.invalid"), false))
                .hasMessage(EXCHANGE + ": unknown host llm.invalid");
    }
}
