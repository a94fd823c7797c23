package io.aixcl.stackfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aixcl.core.stack.StackDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random mutations of a valid file: the loader returns a definition or a StackFileException, never anything else. */
class StackFileFuzzTest {
    private static final String VALID = """
            version: 1
            name: lab
            runtime: llamacpp
            default_profile: research
            services:
              postgres:
                image: docker.io/library/postgres:17.5
                environment: { POSTGRES_DB: chat, TZ: UTC }
                resources: { memory: 3g, cpus: 1.5 }
              searxng:
                image: "docker.io/searxng/searxng:2025.10.1"
                command: [--port, "8888"]
                volumes: ["searx:/etc/searxng", "cache:/var/cache:ro"]
                tmpfs: [/tmp]
                ports: [8888]
                health: { http: "http://127.0.0.1:8888/healthz", interval: 5s, start_period: 1m }
                depends_on:
                  postgres: { condition: service_started }
                secrets: [{ name: searx-key, file_env: SEARXNG_SECRET_FILE }]
                restart: on-failure:3
                user: "1000:1000"
                stop_signal: SIGTERM
                stop_timeout: 20s
            profiles:
              research:
                description: research tools
                extends: [usr]
                services: [searxng]
            """;
    private static final String ALPHABET = " \n\t:-[]{},&*!|>'\"#%@`?aZ09._/~\\\u00e9\u0000\uFEFF";

    @Test
    void theFixtureIsValid() {
        assertThat(StackFiles.load("fuzz.yaml", VALID).profile("research").services()).hasSize(3);
    }

    @Test
    void randomMutationsNeverEscapeAsAnythingButStackFileException() {
        Random random = new Random(20260101L);
        int definitions = 0;
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            String mutated = mutate(VALID, random, 1 + random.nextInt(4));
            try {
                StackDefinition d = StackFiles.load("fuzz.yaml", mutated);
                assertThat(d).isNotNull();
                definitions++;
            } catch (StackFileException e) {
                assertThat(e.problems()).isNotEmpty();
                assertThat(e.problems()).allSatisfy(p -> assertThat(p.line()).isPositive());
                refused++;
            } catch (Throwable t) {
                fail("mutation " + i + " escaped as " + t + " for input:\n" + mutated, t);
            }
        }
        assertThat(definitions).isPositive();
        assertThat(refused).isPositive();
    }

    private static String mutate(String text, Random random, int times) {
        StringBuilder b = new StringBuilder(text);
        for (int t = 0; t < times && !b.isEmpty(); t++) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(6)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 2 -> b.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 3 -> b.insert(at, b, at, Math.min(b.length(), at + random.nextInt(40)));
                case 4 -> {
                    List<String> lines = new ArrayList<>(b.toString().lines().toList());
                    int a = random.nextInt(lines.size());
                    int c = random.nextInt(lines.size());
                    String line = lines.get(a);
                    lines.set(a, lines.get(c));
                    lines.set(c, line);
                    b.setLength(0);
                    b.append(String.join("\n", lines));
                }
                default -> b.insert(at, "  ");
            }
        }
        return b.toString();
    }
}
