package io.aixcl.audit;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What reading every segment found: how many records form a sound prefix of the log, the tree over them, the roots
 * at the sizes asked for, and the first problem if any. A problem that is only a torn end of the last segment is
 * marked so, because the store trims it at open while the verifier reports it.
 */
record LogScan(long size, MerkleTree tree, Hash lastLeaf, Map<Long, Hash> rootsAt, Optional<Problem> problem,
               Optional<Path> lastSegment, long lastSegmentFirstIndex, long lastSegmentValidBytes) {

    record Problem(long index, String reason, boolean tornTail, long tornBytes) {}

    boolean onlyTornTail() {
        return problem.map(Problem::tornTail).orElse(false);
    }
}
