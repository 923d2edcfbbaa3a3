package io.ringmaster.workers.train;

import java.util.Arrays;

/**
 * Each user's distinct training items, sorted (compressed sparse rows), for "has this user
 * interacted with this item?" in negative sampling.
 */
public final class UserItemIndex {

    private final int numItems;
    private final int[] offsets;
    private final int[] items;

    public UserItemIndex(int numUsers, int numItems, int[] users, int[] itemsOfRows) {
        this.numItems = numItems;
        int[] counts = new int[numUsers + 1];
        for (int u : users) {
            counts[u + 1]++;
        }
        for (int u = 0; u < numUsers; u++) {
            counts[u + 1] += counts[u];
        }
        int[] fill = Arrays.copyOf(counts, numUsers);
        int[] all = new int[users.length];
        for (int i = 0; i < users.length; i++) {
            all[fill[users[i]]++] = itemsOfRows[i];
        }
        // sort and de-duplicate each user's run
        int[] off = new int[numUsers + 1];
        int at = 0;
        for (int u = 0; u < numUsers; u++) {
            int from = counts[u];
            int to = counts[u + 1];
            Arrays.sort(all, from, to);
            off[u] = at;
            for (int j = from; j < to; j++) {
                if (j == from || all[j] != all[j - 1]) {
                    all[at++] = all[j];
                }
            }
        }
        off[numUsers] = at;
        this.offsets = off;
        this.items = Arrays.copyOf(all, at);
    }

    public int numUsers() {
        return offsets.length - 1;
    }

    public int numItems() {
        return numItems;
    }

    /** Number of distinct items the user interacted with. */
    public int count(int user) {
        return offsets[user + 1] - offsets[user];
    }

    /**
     * An item drawn uniformly among those {@code user} has no training interaction with (rejection
     * sampling; the caller guarantees there is one).
     */
    public int drawUnseen(int user, java.util.SplittableRandom rng) {
        int cand;
        do {
            cand = rng.nextInt(numItems);
        } while (contains(user, cand));
        return cand;
    }

    public boolean contains(int user, int item) {
        return Arrays.binarySearch(items, offsets[user], offsets[user + 1], item) >= 0;
    }
}
