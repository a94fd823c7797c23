package io.aixcl.gateway.inference;

import io.aixcl.core.inference.Completion;

/** How one protocol renders one generation: whole, or as a stream of chunks. One instance per request. */
public interface StreamFormat {

    String streamContentType();

    /** The whole answer, for {@code stream: false}. */
    byte[] whole(Completion completion);

    /** Sent when the stream opens (OpenAI's role chunk), or null. */
    byte[] opening();

    /** One token's event, appended to {@code out}. */
    void token(String text, EventBytes out);

    /** The closing chunk(s): finish reason, usage, OpenAI's {@code [DONE]}. */
    byte[] closing(Completion completion);

    /** A failure once the stream has started and its status is already sent. */
    byte[] error(ApiError error);
}
