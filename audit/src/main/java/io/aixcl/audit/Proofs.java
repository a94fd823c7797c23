package io.aixcl.audit;

final class Proofs {

    private Proofs() {}

    /** The k of RFC 6962: the largest power of two smaller than n (n >= 2). */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }
}
