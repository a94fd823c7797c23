package io.aixcl.daemon.keys;

import io.aixcl.state.KeyLimits;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What a new key should be: a name, the models it may use (none: all), its limits and how long it lives. */
public record KeyRequest(String name, List<String> models, KeyLimits limits, Optional<Duration> lifetime) {
    public KeyRequest {
        Objects.requireNonNull(models, "models is null");
        Objects.requireNonNull(limits, "limits is null");
        Objects.requireNonNull(lifetime, "lifetime is null");
        models = List.copyOf(models);
    }
}
