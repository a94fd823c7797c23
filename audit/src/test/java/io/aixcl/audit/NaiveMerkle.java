package io.aixcl.audit;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/** RFC 6962 section 2.1 written as literally as possible, to check the incremental implementation against. */
final class NaiveMerkle {

    private NaiveMerkle() {}

    static byte[] sha256(byte[]... parts) {
        MessageDigest d = TreeHashing.newDigest();
        for (byte[] p : parts) {
            d.update(p);
        }
        return d.digest();
    }

    static Hash leaf(byte[] entry) {
        return Hash.of(sha256(new byte[] {0}, entry));
    }

    static Hash mth(List<Hash> d) {
        int n = d.size();
        if (n == 0) {
            return Hash.of(sha256());
        }
        if (n == 1) {
            return d.getFirst();
        }
        int k = Integer.highestOneBit(n - 1);
        return Hash.of(sha256(new byte[] {1}, mth(d.subList(0, k)).bytes(), mth(d.subList(k, n)).bytes()));
    }

    static List<Hash> path(int m, List<Hash> d) {
        int n = d.size();
        List<Hash> out = new ArrayList<>();
        if (n <= 1) {
            return out;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m < k) {
            out.addAll(path(m, d.subList(0, k)));
            out.add(mth(d.subList(k, n)));
        } else {
            out.addAll(path(m - k, d.subList(k, n)));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    static List<Hash> consistency(int m, List<Hash> d) {
        return m == 0 || m == d.size() ? List.of() : subproof(m, d, true);
    }

    private static List<Hash> subproof(int m, List<Hash> d, boolean b) {
        int n = d.size();
        List<Hash> out = new ArrayList<>();
        if (m == n) {
            if (!b) {
                out.add(mth(d));
            }
            return out;
        }
        int k = Integer.highestOneBit(n - 1);
        if (m <= k) {
            out.addAll(subproof(m, d.subList(0, k), b));
            out.add(mth(d.subList(k, n)));
        } else {
            out.addAll(subproof(m - k, d.subList(k, n), false));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }
}
