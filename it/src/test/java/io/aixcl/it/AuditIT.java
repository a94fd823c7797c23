package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aixcl.api.Json;
import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every action lands in the audit log before it is acknowledged; the log proves itself and catches tampering. */
class AuditIT {
    private final PodmanUser user = PodmanUser.root();
    private final String stack = "au" + UUID.randomUUID().toString().substring(0, 6);
    private Aixcl aixcl;

    @AfterEach
    void cleanUp() {
        if (aixcl != null) {
            aixcl.cleanUp(stack);
        }
    }

    private List<String> actions(Aixcl.Run tail) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : Json.MAPPER.readTree(tail.out())) {
            out.add(e.get("action").asText() + " " + e.get("target").asText() + " " + e.get("outcome").asText()
                    + " " + e.get("actor").asText());
        }
        return out;
    }

    @Test
    void actionsAreRecordedProvableAndTamperingStopsTheDaemon() throws Exception {
        TestImages.busybox(user);
        aixcl = new Aixcl(user, "audit");
        Map<String, String> s = TestStacks.ordered();
        s.put("inference", TestStacks.httpService("inference", TestImages.freeLoopbackPort(), List.of(), ""));
        Path stackFile = aixcl.write("stack.yaml", TestStacks.stack(stack, s, Map.of("p", List.of("inference")), "p"));

        assertThat(aixcl.run("stack", "plan", "-f", stackFile.toString()).exit()).isZero();
        assertThat(aixcl.run("stack", "start", "-f", stackFile.toString()).exit()).isZero();
        assertThat(aixcl.run("service", "stop", "inference", "-f", stackFile.toString()).exit()).isZero();
        assertThat(aixcl.run("service", "start", "nowhere", "-f", stackFile.toString()).exit()).isEqualTo(6);
        Aixcl.Run checkpoint = aixcl.run("audit", "checkpoint", "--new", "-o", aixcl.home.resolve("old.cp").toString());
        assertThat(checkpoint.exit()).as(checkpoint.toString()).isZero();
        assertThat(aixcl.run("stack", "stop", "-f", stackFile.toString()).exit()).isZero();

        Aixcl.Run tail = aixcl.run("audit", "tail", "-n", "50", "--json");
        assertThat(tail.exit()).as(tail.toString()).isZero();
        List<String> actions = actions(tail);
        assertThat(actions).anyMatch(a -> a.startsWith("daemon.start aixcld succeeded daemon:"));
        assertThat(actions).contains("stack.start  succeeded uid:root", "services.stop inference succeeded uid:root",
                "services.start nowhere failed uid:root", "stack.stop  succeeded uid:root");
        assertThat(actions).noneMatch(a -> a.startsWith("stack.plan")); // a plan changes nothing: not an action
        assertThat(tail.out()).contains("\"stackFile\" : \"" + stackFile + "\"");

        Aixcl.Run inclusion = aixcl.run("audit", "prove", "1");
        assertThat(inclusion.exit()).as(inclusion.toString()).isZero();
        assertThat(inclusion.out()).startsWith("verified: entry 1 is in the log");
        Aixcl.Run consistency = aixcl.run("audit", "prove", "--since", aixcl.home.resolve("old.cp").toString());
        assertThat(consistency.exit()).as(consistency.toString()).isZero();
        assertThat(consistency.out()).startsWith("verified: the log of");

        assertThat(aixcl.run("daemon", "stop").exit()).isZero();
        Aixcl.Run clean = aixcl.run("audit", "verify");
        assertThat(clean.exit()).as(clean.toString()).isZero();

        // Flip one byte inside the first record's entry: the chain breaks at entry 0.
        Path segment;
        try (Stream<Path> files = Files.list(aixcl.home.resolve("data/audit"))) {
            segment = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, 120);
            b.put(0, (byte) (b.get(0) ^ 0x20));
            ch.write(b.flip(), 120);
        }
        Aixcl.Run tampered = aixcl.run("audit", "verify");
        assertThat(tampered.exit()).as(tampered.toString()).isEqualTo(1);
        assertThat(tampered.out()).contains("entry 0");

        Aixcl.Run refused = aixcl.run("daemon", "start");
        assertThat(refused.exit()).as(refused.toString()).isNotZero();
        assertThat(refused.err()).contains("audit");
    }
}
