package io.aixcl.gateway.inference;

import java.time.Instant;

/**
 * One request as a route sees it: the presented key (empty when none), the body (read under the size limit),
 * where to answer, and what to record.
 *
 * @param pathParameter the rest of the path after a route's prefix ({@code /v1/models/{id}}), else empty
 */
public record Call(String key, byte[] body, String pathParameter, ResponseChannel channel, RequestRecord record,
                   Instant received, long startNanos) {
}
