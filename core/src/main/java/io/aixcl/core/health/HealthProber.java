package io.aixcl.core.health;

import io.aixcl.core.stack.HealthCheck;
import java.time.Duration;

/** Runs one probe of a health check against a running container. */
public interface HealthProber {

    ProbeResult probe(String containerId, HealthCheck.Probe probe, Duration timeout);

    record ProbeResult(boolean healthy, String detail) {
        public static ProbeResult ok(String detail) {
            return new ProbeResult(true, detail);
        }

        public static ProbeResult failed(String detail) {
            return new ProbeResult(false, detail);
        }
    }
}
