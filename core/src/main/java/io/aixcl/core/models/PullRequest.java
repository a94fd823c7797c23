package io.aixcl.core.models;

import java.util.Objects;
import java.util.Optional;

/**
 * One pull: what to fetch, an expected digest ({@code --sha256}, required for URLs, checked for any single-file
 * source), the name to store it under (default: {@link ModelRef#defaultName()}), and whether plain http to a
 * non-loopback host is allowed (off by default).
 */
public record PullRequest(ModelRef ref, Optional<Digest> sha256, Optional<ModelName> name, boolean allowInsecureHttp) {
    public PullRequest {
        Objects.requireNonNull(ref, "ref is null");
        Objects.requireNonNull(sha256, "sha256 is null");
        Objects.requireNonNull(name, "name is null");
    }

    public static PullRequest of(ModelRef ref) {
        return new PullRequest(ref, Optional.empty(), Optional.empty(), false);
    }

    public static PullRequest of(String ref) {
        return of(ModelRef.parse(ref));
    }

    public PullRequest withSha256(Digest digest) {
        return new PullRequest(ref, Optional.of(digest), name, allowInsecureHttp);
    }

    public PullRequest named(ModelName newName) {
        return new PullRequest(ref, sha256, Optional.of(newName), allowInsecureHttp);
    }

    public PullRequest allowingInsecureHttp() {
        return new PullRequest(ref, sha256, name, true);
    }

    public ModelName targetName() {
        return name.orElseGet(ref::defaultName);
    }
}
