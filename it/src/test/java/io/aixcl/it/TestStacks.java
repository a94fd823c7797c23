package io.aixcl.it;

import io.aixcl.core.testing.TestImages;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stack files made of busybox HTTP servers, each healthy when its /health answers. */
final class TestStacks {
    private TestStacks() {}

    record Service(String name, int port, List<String> dependsOn, String extra) {}

    static String httpService(String name, int port, List<String> dependsOn, String extra) {
        StringBuilder b = new StringBuilder();
        b.append("  ").append(name).append(":\n");
        b.append("    image: ").append(TestImages.BUSYBOX).append('\n');
        b.append("    command: [httpd, -f, -p, \"127.0.0.1:").append(port).append("\", -h, /www]\n");
        b.append("    ports: [").append(port).append("]\n");
        b.append("    health: {http: \"http://127.0.0.1:").append(port)
                .append("/health\", interval: 1s, timeout: 1s, retries: 2, start_period: 10s}\n");
        b.append("    init: true\n");
        if (!dependsOn.isEmpty()) {
            b.append("    depends_on: [").append(String.join(", ", dependsOn)).append("]\n");
        }
        if (extra != null && !extra.isBlank()) {
            extra.lines().forEach(l -> b.append("    ").append(l).append('\n'));
        }
        return b.toString();
    }

    /** A stack whose runtime core ({@code inference}) and other services are busybox HTTP servers. */
    static String stack(String name, Map<String, String> services, Map<String, List<String>> profiles,
                        String defaultProfile) {
        StringBuilder b = new StringBuilder("version: 1\nname: ").append(name).append('\n');
        b.append("default_profile: ").append(defaultProfile).append('\n');
        b.append("services:\n");
        services.values().forEach(b::append);
        b.append("profiles:\n");
        profiles.forEach((p, s) -> b.append("  ").append(p).append(":\n    services: [")
                .append(String.join(", ", s)).append("]\n"));
        return b.toString();
    }

    static Map<String, String> ordered() {
        return new LinkedHashMap<>();
    }
}
