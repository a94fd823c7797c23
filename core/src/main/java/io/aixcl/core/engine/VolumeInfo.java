package io.aixcl.core.engine;

import java.util.Map;

public record VolumeInfo(String name, Map<String, String> labels) {
    public VolumeInfo {
        labels = Map.copyOf(labels);
    }
}
