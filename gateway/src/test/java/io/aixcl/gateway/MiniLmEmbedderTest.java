package io.aixcl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.gateway.embed.MiniLmEmbedder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real all-MiniLM-L6-v2 model, in process. */
class MiniLmEmbedderTest {

    private final MiniLmEmbedder embedder = new MiniLmEmbedder();

    @Test
    void embedsToUnitVectorsOf384DimensionsRepeatablyAndBySense() {
        Embedder.Embeddings result = embedder.embed(List.of(
                "The cat sat on the mat.",
                "A kitten was sitting on the rug.",
                "Quarterly tax filings are due in April.",
                "The cat sat on the mat."));

        assertThat(result.vectors()).hasSize(4).allSatisfy(v -> assertThat(v).hasSize(384));
        assertThat(norm(result.vectors().get(0))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(result.vectors().get(3)).containsExactly(result.vectors().get(0));
        double similar = cosine(result.vectors().get(0), result.vectors().get(1));
        double unrelated = cosine(result.vectors().get(0), result.vectors().get(2));
        assertThat(similar).isGreaterThan(unrelated + 0.2);
        assertThat(result.promptTokens()).isBetween(20, 80);
    }

    @Test
    void answersToItsIdAndAliasesOnly() {
        assertThat(embedder.serves("all-minilm")).isTrue();
        assertThat(embedder.serves("all-minilm:l6-v2")).isTrue();
        assertThat(embedder.serves("tiny")).isFalse();
        assertThat(embedder.dimensions()).isEqualTo(384);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }
}
