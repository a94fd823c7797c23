package io.aixcl.engine.llama.worker;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.Pair;
import io.aixcl.engine.llama.protocol.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a conversation with the model's own chat template ({@code tokenizer.chat_template} in the GGUF, applied
 * by llama.cpp; a model without one gets llama.cpp's ChatML fallback).
 *
 * <p>The library (4.1.0) takes one system prompt and then user/assistant turns, so every system message is
 * gathered, in order, into that one system prompt: the templates of most models only place a system prompt
 * first anyway.
 */
final class ChatTemplate {

    private ChatTemplate() {
    }

    static String render(LlamaModel model, InferenceParameters parameters, List<Frame.Message> messages) {
        List<String> system = new ArrayList<>();
        List<Pair<String, String>> turns = new ArrayList<>();
        for (Frame.Message m : messages) {
            switch (m.role()) {
                case "system" -> system.add(m.content());
                case "user", "assistant" -> turns.add(new Pair<>(m.role(), m.content()));
                default -> throw new IllegalArgumentException("unknown chat role '" + m.role() + "'");
            }
        }
        parameters.setMessages(system.isEmpty() ? null : String.join("\n\n", system), turns);
        return model.applyTemplate(parameters);
    }
}
