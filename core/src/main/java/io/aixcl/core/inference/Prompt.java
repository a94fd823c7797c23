package io.aixcl.core.inference;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** What a generation continues: raw text ({@code /v1/completions}) or a conversation rendered by the model's chat template. */
public sealed interface Prompt {

    record Text(String text) implements Prompt {
        public Text {
            requireNonNull(text, "text is null");
        }
    }

    record Chat(List<ChatMessage> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new InferenceException.InvalidRequest("a chat needs at least one message");
            }
        }
    }

    static Prompt text(String text) {
        return new Text(text);
    }

    static Prompt chat(ChatMessage... messages) {
        return new Chat(List.of(messages));
    }
}
