package io.aixcl.stackfile;

import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * For bridge networking only: each service then has its own network namespace, reachable from the host solely
 * through ports published on 127.0.0.1. Inside that namespace a listener must bind all interfaces, and a reference
 * to another service's loopback port must name that service instead. Host exposure stays loopback-only.
 */
final class LoopbackRewrite {
    private static final Pattern HOST_PORT = Pattern.compile("\\b(?:127\\.0\\.0\\.1|localhost):(\\d{1,5})\\b");
    private static final Pattern LOOPBACK = Pattern.compile("\\b127\\.0\\.0\\.1\\b");

    private final Map<Integer, ServiceName> portOwners = new HashMap<>();

    LoopbackRewrite(List<ServiceSpec> services) {
        for (ServiceSpec s : services) {
            s.ports().forEach(p -> portOwners.putIfAbsent(p, s.name()));
        }
    }

    String rewrite(ServiceSpec self, String value) {
        Matcher m = HOST_PORT.matcher(value);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            int port = Integer.parseInt(m.group(1));
            ServiceName owner = portOwners.get(port);
            String replacement = owner == null || owner.equals(self.name()) ? "0.0.0.0:" + port : owner + ":" + port;
            m.appendReplacement(b, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(b);
        return LOOPBACK.matcher(b).replaceAll("0.0.0.0");
    }
}
