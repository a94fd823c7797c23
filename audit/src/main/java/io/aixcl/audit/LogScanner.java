package io.aixcl.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
    static final long BLOCK = 1L << BLOCK_HEIGHT;
    // The smallest buffer that holds the largest record: the bytes copied in are still in the CPU's cache when the
    // CRC and the hashing read them (4 MiB: ~5% more CPU per warm scan).
    private static final int READ_BUFFER = 1 << 20;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    // One hasher per scanning thread, not per segment. Its digest is a clone made at each block (BlockHasher.reset):
    // a clone carries the JDK digest's state but not its Java code's work array, whose clearing cost CPU per record.
    private static final ThreadLocal<BlockHasher> HASHERS = ThreadLocal.withInitial(BlockHasher::new);

    private LogScanner() {}

    /** A run of the tree, in order: a single leaf, or a perfect subtree aligned to its width. */
    private record Piece(Hash hash, int height) {}

    private record SegmentResult(long firstIndex, long count, List<Piece> pieces, byte[] firstPrevious,
                                 byte[] lastLeaf, long validBytes, long fileSize, Optional<String> problem,
                                 boolean frameProblem) {}

    static LogScan scan(Path dataDir, NavigableSet<Long> sizesOfInterest) throws IOException {
        return scan(dataDir, sizesOfInterest, false);
    }

    /** @param mapped read the segments through mappings (see {@link SegmentReader}): for the one-shot verifier */
    static LogScan scan(Path dataDir, NavigableSet<Long> sizesOfInterest, boolean mapped) throws IOException {
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
                    window.add(pool.submit(() -> scanSegment(s.getValue(), s.getKey(), sizesOfInterest, mapped)));
                }
                SegmentResult r = await(window.removeFirst());
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

    /**
     * The result of a scan's work, its failure as the IOException or unchecked exception it was; shared by the
     * segment workers here and {@link AuditVerifier}'s scan beside the signature checks.
     */
    static <T> T await(Future<T> f) throws IOException {
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
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static SegmentResult scanSegment(Path file, long firstIndex, NavigableSet<Long> sizesOfInterest,
                                             boolean mapped) throws IOException {
        try (SegmentReader reader = new SegmentReader(file, READ_BUFFER, mapped)) {
            SegmentScan scan = new SegmentScan(reader, firstIndex, sizesOfInterest);
            SegmentReader.Step step = reader.next();
            if (step == SegmentReader.Step.RECORD) {
                scan.start();
                step = scan.records();
            }
            if (step == SegmentReader.Step.BAD_FRAME) {
                scan.problem = "entry " + scan.index + ": " + reader.problem();
                scan.frameProblem = true;
            }
            scan.cut();
            long count = scan.index - firstIndex;
            return new SegmentResult(firstIndex, count, scan.pieces, scan.firstPrevious,
                    count > 0 ? scan.lastLeaf : null, reader.offset(), reader.fileSize(),
                    Optional.ofNullable(scan.problem), scan.frameProblem);
        }
    }

    /**
     * The checks and hashing of one segment's records. {@link #records()} is the whole per-record loop and is kept
     * small and free of branches taken once per segment (a segment's first record is {@link #start()}'s), so the JIT
     * compiles it once, early, rather than throwing its code away each time a segment start takes a new path; and
     * the loop ends where the method does, so compiling it on the stack (OSR) drags in nothing that runs after it.
     */
    private static final class SegmentScan {
        private final SegmentReader reader;
        private final NavigableSet<Long> sizesOfInterest;
        private final BlockHasher block = HASHERS.get();
        private final byte[] leaf = new byte[Hash.SIZE];
        private final byte[] lastLeaf = new byte[Hash.SIZE];
        private final List<Piece> pieces = new ArrayList<>();
        private byte[] firstPrevious;
        private long index;
        /** Where the block being hashed must end: see {@link #cut()}. */
        private long cutAt;
        private String problem;
        private boolean frameProblem;

        SegmentScan(SegmentReader reader, long firstIndex, NavigableSet<Long> sizesOfInterest) {
            this.reader = reader;
            this.sizesOfInterest = sizesOfInterest;
            this.index = firstIndex;
            this.cutAt = nextCut(firstIndex);
            block.reset();
        }

        /**
         * Called at the segment's first record: its link to the segment before is checked when the segments are
         * joined, so {@link #record()} is given that link as the leaf before.
         */
        void start() {
            int prev = reader.previousLeafOffset();
            firstPrevious = Arrays.copyOfRange(reader.array(), prev, prev + Hash.SIZE);
            System.arraycopy(firstPrevious, 0, lastLeaf, 0, Hash.SIZE);
        }

        /** From the current record on, until the segment ends or a record is not sound: the step that ended it. */
        SegmentReader.Step records() throws IOException {
            SegmentReader.Step step = SegmentReader.Step.RECORD;
            while (record() && (step = reader.next()) == SegmentReader.Step.RECORD) {
                // record() did the work; a false return is a problem, kept in this scan
            }
            return step;
        }

        /** Checks the current record and adds its leaf; false (with {@link #problem} set) if it is not sound. */
        boolean record() {
            byte[] buf = reader.array();
            if (reader.index() != index) {
                problem = "entry " + index + ": the record says it is entry " + reader.index();
                return false;
            }
            int prev = reader.previousLeafOffset();
            if (!sameHash(buf, prev, lastLeaf)) {
                problem = "entry " + index + " does not link to the entry before it";
                return false;
            }
            block.leaf(buf, reader.entryOffset(), reader.entryLength(), leaf);
            int stored = reader.leafOffset();
            if (!sameHash(buf, stored, leaf)) {
                problem = "entry " + index + ": its content does not match its leaf hash";
                return false;
            }
            System.arraycopy(leaf, 0, lastLeaf, 0, Hash.SIZE);
            block.append(leaf);
            if (++index == cutAt) {
                cut();
            }
            return true;
        }

        /**
         * {@code buf[at, at + 32)} equals {@code hash}: four 8-byte compares. {@code Arrays.equals} over a range, twice
         * per record, cost ~200 instructions a record (range checks, then the vectorized-mismatch stub's setup).
         */
        private static boolean sameHash(byte[] buf, int at, byte[] hash) {
            return (long) LONG.get(buf, at) == (long) LONG.get(hash, 0)
                    & (long) LONG.get(buf, at + 8) == (long) LONG.get(hash, 8)
                    & (long) LONG.get(buf, at + 16) == (long) LONG.get(hash, 16)
                    & (long) LONG.get(buf, at + 24) == (long) LONG.get(hash, 24);
        }

        /** Emits the block hashed so far as pieces and starts the next one at {@link #index}. */
        void cut() {
            flush(block, pieces);
            cutAt = nextCut(index);
        }

        /**
         * A block starting at {@code from} ends at the next multiple of its width (BLOCK, or less where a segment
         * starts unaligned) so its frontier is made of aligned subtrees; and before any size whose root is wanted, so
         * that no size of interest falls inside a piece.
         */
        private long nextCut(long from) {
            long width = from == 0 ? BLOCK : Math.min(BLOCK, Long.lowestOneBit(from));
            Long wanted = sizesOfInterest.higher(from);
            return wanted == null ? from + width : Math.min(from + width, wanted);
        }
    }

    /** Emits a block as its frontier: perfect subtrees, each aligned because the block start is. */
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
