package io.aixcl.engine.http;

import io.aixcl.core.inference.FinishReason;
import java.util.ArrayList;
import java.util.List;

/** Records what a decoder reports, one line a call. */
final class RecordingSink implements GenerationSink {
    final List<String> seen = new ArrayList<>();

    @Override
    public void token(String text) {
        seen.add("token " + text);
    }

    @Override
    public void finish(FinishReason reason) {
        seen.add("finish " + reason);
    }

    @Override
    public void usage(int promptTokens, int completionTokens) {
        seen.add("usage " + promptTokens + "/" + completionTokens);
    }
}
