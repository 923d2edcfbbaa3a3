package io.ringmaster.data;

import java.util.Objects;

/**
 * The held-out evaluation set of the NCF protocol: one test item per user, ranked against that
 * user's sampled negatives. Negatives are stored flat: those of row {@code i} are
 * {@code negItems[negOffsets[i] .. negOffsets[i+1])}.
 */
public record TestSplit(int[] users, int[] items, int[] negOffsets, int[] negItems) {

    public TestSplit {
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(negOffsets, "negOffsets");
        Objects.requireNonNull(negItems, "negItems");
        if (items.length != users.length || negOffsets.length != users.length + 1) {
            throw new IllegalArgumentException("test split columns disagree: users=" + users.length + " items="
                    + items.length + " negOffsets=" + negOffsets.length);
        }
        if (negOffsets[0] != 0 || negOffsets[users.length] != negItems.length) {
            throw new IllegalArgumentException("test negative offsets do not cover the negatives");
        }
    }

    public int size() {
        return users.length;
    }

    public int negativesOf(int row) {
        return negOffsets[row + 1] - negOffsets[row];
    }

    /** Builds the flat negatives layout from per-row arrays. */
    public static TestSplit of(int[] users, int[] items, int[][] negatives) {
        int[] offsets = new int[users.length + 1];
        for (int i = 0; i < users.length; i++) {
            offsets[i + 1] = offsets[i] + negatives[i].length;
        }
        int[] flat = new int[offsets[users.length]];
        for (int i = 0; i < users.length; i++) {
            System.arraycopy(negatives[i], 0, flat, offsets[i], negatives[i].length);
        }
        return new TestSplit(users, items, offsets, flat);
    }
}
