package io.aixcl.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads all segments, checking every frame (length, CRC), every link (index, previous leaf hash) and every leaf hash,
 * and builds the Merkle tree. Segments are scanned in parallel: each worker also hashes aligned blocks of leaves into
 * perfect subtrees, so the one thread that assembles the tree in order does almost no hashing of its own.
 */
final class LogScanner {

    private static final int BLOCK_HEIGHT = 10;
    private static final long BLOCK = 1L << BLOCK_HEIGHT;
    private static final int READ_BUFFER = 4 << 20;

    private LogScanner() {}

    /** A run of the tree, in order: a single leaf, or a perfect subtree aligned to its width. */
    private record Piece(Hash hash, int height) {}

    private record SegmentResult(long firstIndex, long count, List<Piece> pieces, byte[] firstPrevious,
                                 byte[] lastLeaf, long validBytes, long fileSize, Optional<String> problem,
                                 boolean frameProblem) {}

    static LogScan scan(Path dataDir, NavigableSet<Long> sizesOfInterest) throws IOException {
        NavigableMap<Long, Path> segments = Segments.list(dataDir);
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), segments.size()));
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "audit-scan");
            t.setDaemon(true);
            return t;
        })) {
            // A bounded window keeps at most a few segments' results in memory however long the log is.
            Deque<Future<SegmentResult>> window = new ArrayDeque<>();
            List<Entry<Long, Path>> order = new ArrayList<>(segments.entrySet());
            int submitted = 0;
            MerkleTree tree = new MerkleTree();
            Map<Long, Hash> roots = new HashMap<>();
            if (sizesOfInterest.contains(0L)) {
                roots.put(0L, tree.root());
            }
            byte[] lastLeaf = RecordFormat.NO_PREVIOUS;
            Path lastPath = null;
            long lastFirst = 0;
            long lastValid = 0;
            for (int i = 0; i < order.size(); i++) {
                while (submitted < order.size() && window.size() < threads * 2) {
                    Entry<Long, Path> s = order.get(submitted++);
                    window.add(pool.submit(() -> scanSegment(s.getValue(), s.getKey(), sizesOfInterest)));
                }
                SegmentResult r = get(window.removeFirst());
                Path path = order.get(i).getValue();
                lastPath = path;
                lastFirst = r.firstIndex;
                lastValid = r.validBytes;
                boolean last = i == order.size() - 1;
                if (r.firstIndex != tree.size()) {
                    String why = r.firstIndex > tree.size()
                            ? "entries " + tree.size() + " to " + (r.firstIndex - 1) + " are missing: segment "
                                    + path.getFileName() + " starts at " + r.firstIndex
                            : "segment " + path.getFileName() + " starts at " + r.firstIndex + " but entries up to "
                                    + (tree.size() - 1) + " came before it";
                    return result(tree, lastLeaf, roots, problem(tree.size(), why), lastPath, lastFirst, 0);
                }
                if (r.count > 0 && !Arrays.equals(r.firstPrevious, lastLeaf)) {
                    return result(tree, lastLeaf, roots, problem(tree.size(),
                            "entry " + tree.size() + " does not link to the entry before it"), lastPath, lastFirst, 0);
                }
                for (Piece p : r.pieces) {
                    tree.appendPerfect(p.hash, p.height);
                    if (sizesOfInterest.contains(tree.size())) {
                        roots.put(tree.size(), tree.root());
                    }
                }
                if (r.count > 0) {
                    lastLeaf = r.lastLeaf;
                }
                if (r.problem.isPresent()) {
                    boolean torn = last && r.frameProblem;
                    long cut = r.fileSize - r.validBytes;
                    String where = " (" + path.getFileName() + " at byte " + r.validBytes + ")";
                    return result(tree, lastLeaf, roots,
                            Optional.of(new LogScan.Problem(tree.size(), r.problem.get() + where, torn, torn ? cut : 0)),
                            lastPath, lastFirst, lastValid);
                }
            }
            return result(tree, lastLeaf, roots, Optional.empty(), lastPath, lastFirst, lastValid);
        }
    }

    private static Optional<LogScan.Problem> problem(long index, String reason) {
        return Optional.of(new LogScan.Problem(index, reason, false, 0));
    }

    private static LogScan result(MerkleTree tree, byte[] lastLeaf, Map<Long, Hash> roots,
                                  Optional<LogScan.Problem> problem, Path lastPath, long lastFirst, long lastValid) {
        return new LogScan(tree.size(), tree, Hash.of(lastLeaf), Map.copyOf(roots), problem,
                Optional.ofNullable(lastPath), lastFirst, lastValid);
    }

    private static SegmentResult get(Future<SegmentResult> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while scanning the audit log", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static SegmentResult scanSegment(Path file, long firstIndex, NavigableSet<Long> sizesOfInterest)
            throws IOException {
        List<Piece> pieces = new ArrayList<>();
        byte[] firstPrevious = null;
        byte[] lastLeaf = new byte[Hash.SIZE];
        byte[] leaf = new byte[Hash.SIZE];
        long index = firstIndex;
        // The block being hashed starts at a multiple of BLOCK, or is empty.
        BlockHasher block = new BlockHasher();
        String problem = null;
        boolean frameProblem = false;
        try (SegmentReader reader = new SegmentReader(file, READ_BUFFER)) {
            while (true) {
                SegmentReader.Step step = reader.next();
                if (step == SegmentReader.Step.END) {
                    break;
                }
                if (step == SegmentReader.Step.BAD_FRAME) {
                    problem = "entry " + index + ": " + reader.problem();
                    frameProblem = true;
                    break;
                }
                byte[] buf = reader.array();
                if (reader.index() != index) {
                    problem = "entry " + index + ": the record says it is entry " + reader.index();
                    break;
                }
                int prev = reader.previousLeafOffset();
                if (firstPrevious == null) {
                    firstPrevious = Arrays.copyOfRange(buf, prev, prev + Hash.SIZE);
                } else if (!Arrays.equals(buf, prev, prev + Hash.SIZE, lastLeaf, 0, Hash.SIZE)) {
                    problem = "entry " + index + " does not link to the entry before it";
                    break;
                }
                block.leaf(buf, reader.entryOffset(), reader.entryLength(), leaf);
                int stored = reader.leafOffset();
                if (!Arrays.equals(buf, stored, stored + Hash.SIZE, leaf, 0, Hash.SIZE)) {
                    problem = "entry " + index + ": its content does not match its leaf hash";
                    break;
                }
                System.arraycopy(leaf, 0, lastLeaf, 0, Hash.SIZE);
                if (block.size() == 0 && index % BLOCK != 0) {
                    pieces.add(new Piece(Hash.of(leaf), 0));
                } else {
                    block.append(leaf);
                    if (block.size() == BLOCK) {
                        pieces.add(new Piece(block.perfectRoot(), BLOCK_HEIGHT));
                        block.reset();
                    }
                }
                index++;
                // A size someone will ask the root of must not fall inside a piece.
                if (block.size() > 0 && sizesOfInterest.contains(index)) {
                    flush(block, pieces);
                }
            }
            flush(block, pieces);
            long validBytes = reader.offset();
            long count = index - firstIndex;
            return new SegmentResult(firstIndex, count, pieces, firstPrevious, count > 0 ? lastLeaf : null,
                    validBytes, reader.fileSize(), Optional.ofNullable(problem), frameProblem);
        }
    }

    /** Emits a partial block as its frontier: perfect subtrees, each aligned because the block start is. */
    private static void flush(BlockHasher block, List<Piece> pieces) {
        long size = block.size();
        Hash[] frontier = block.frontier();
        int f = 0;
        for (int h = 63; h >= 0; h--) {
            if ((size & (1L << h)) != 0) {
                pieces.add(new Piece(frontier[f++], h));
            }
        }
        block.reset();
    }

    static NavigableSet<Long> sizes(long... sizes) {
        NavigableSet<Long> s = new TreeSet<>();
        for (long x : sizes) {
            s.add(x);
        }
        return s;
    }
}
