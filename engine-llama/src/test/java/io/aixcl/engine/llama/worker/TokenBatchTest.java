package io.aixcl.engine.llama.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.engine.llama.protocol.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBatchTest {

    private static final long MS = 1_000_000;

    private final List<Frame> sent = new ArrayList<>();
    private final TokenBatch batch = new TokenBatch(7, 4 * MS, sent::add);

    @Test
    void theFirstTokenGoesOutAtOnce() {
        assertThat(batch.token("Once", 100 * MS)).isFalse();

        assertThat(sent).containsExactly(new Frame.Token(7, "Once"));
    }

    @Test
    void tokensSlowerThanTheIntervalGoOutOneByOne() {
        batch.token("Once", 100 * MS);
        batch.token(" upon", 105 * MS);
        batch.token(" a", 109 * MS);

        assertThat(sent).containsExactly(new Frame.Token(7, "Once"), new Frame.Token(7, " upon"), new Frame.Token(7, " a"));
    }

    @Test
    void tokensFasterThanTheIntervalAreHeldAndGoOutJoinedWithTheFirstOnePastIt() {
        batch.token("Once", 100 * MS);

        assertThat(batch.token(" upon", 101 * MS)).as("the first held token asks for a deadline").isTrue();
        assertThat(batch.token(" a", 102 * MS)).as("later ones share it").isFalse();
        assertThat(batch.deadline()).isEqualTo(109 * MS);
        assertThat(sent).hasSize(1);

        batch.token(" time", 104 * MS);

        assertThat(sent).containsExactly(new Frame.Token(7, "Once"), new Frame.Token(7, " upon a time"));
        assertThat(batch.deadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void heldTokensGoOutByTheirDeadlineWhenNoTokenFollows() {
        batch.token("Once", 100 * MS);
        batch.token(" upon", 101 * MS);

        assertThat(batch.flushIfDue(108 * MS)).isEqualTo(109 * MS);
        assertThat(sent).hasSize(1);
        // Nothing held now: a token held from here on is due no sooner than one deadline period later.
        assertThat(batch.flushIfDue(109 * MS)).isEqualTo(117 * MS);
        assertThat(sent).containsExactly(new Frame.Token(7, "Once"), new Frame.Token(7, " upon"));
        assertThat(batch.flushIfDue(112 * MS)).isEqualTo(120 * MS);
        batch.end(new Frame.Done(7, "STOP", 2, 2));
        assertThat(batch.flushIfDue(130 * MS)).as("ended: never again").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theEndSendsWhatIsHeldFirstAndNothingAfterIt() {
        var done = new Frame.Done(7, "LENGTH", 5, 3);
        batch.token("Once", 100 * MS);
        batch.token(" upon", 101 * MS);
        batch.token(" a", 101 * MS);

        batch.end(done);
        batch.token(" time", 200 * MS);
        batch.flushIfDue(300 * MS);
        batch.end(new Frame.Done(7, "STOP", 5, 3));

        assertThat(sent).containsExactly(new Frame.Token(7, "Once"), new Frame.Token(7, " upon a"), done);
    }

    @Test
    void aZeroIntervalSendsEveryToken() {
        var each = new TokenBatch(9, 0, sent::add);

        each.token("a", 1);
        each.token("b", 1);

        assertThat(sent).containsExactly(new Frame.Token(9, "a"), new Frame.Token(9, "b"));
    }
}
