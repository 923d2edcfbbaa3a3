package io.ringmaster.data;

import java.util.Arrays;

/**
 * Maps raw (source) ids to dense indices 0..n-1 and back. Indices follow ascending raw id, so the
 * mapping does not depend on the order rows appear in the source; ids that are already dense
 * (0..n-1, as in the NCF split files) map to themselves.
 */
public final class IdMap {

    private final long[] raw;

    private IdMap(long[] sortedDistinct) {
        this.raw = sortedDistinct;
    }

    /** The map over the distinct values of {@code ids}. */
    public static IdMap of(long[] ids) {
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        int n = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                sorted[n++] = sorted[i];
            }
        }
        return new IdMap(Arrays.copyOf(sorted, n));
    }

    /** A map from index to raw id as stored in a dataset; raw ids must be strictly increasing. */
    public static IdMap fromRawIds(long[] rawByIndex, String what) {
        for (int i = 1; i < rawByIndex.length; i++) {
            if (rawByIndex[i] <= rawByIndex[i - 1]) {
                throw new DataFormatException(what + ": raw ids must be strictly increasing by index, but index "
                        + i + " has " + rawByIndex[i] + " after " + rawByIndex[i - 1]);
            }
        }
        return new IdMap(rawByIndex.clone());
    }

    public int size() {
        return raw.length;
    }

    /** Dense index of {@code rawId}, or -1 when the id is unknown. */
    public int indexOf(long rawId) {
        int i = Arrays.binarySearch(raw, rawId);
        return i >= 0 ? i : -1;
    }

    /** Dense index of {@code rawId}; fails naming {@code what} when it is unknown. */
    public int require(long rawId, String what) {
        int i = indexOf(rawId);
        if (i < 0) {
            throw new IllegalArgumentException("unknown " + what + " id " + rawId);
        }
        return i;
    }

    public long rawId(int index) {
        return raw[index];
    }

    /** Raw ids by index; a copy. */
    public long[] rawIds() {
        return raw.clone();
    }

    /** True when every raw id equals its index. */
    public boolean isIdentity() {
        return raw.length == 0 || (raw[0] == 0 && raw[raw.length - 1] == raw.length - 1);
    }
}
