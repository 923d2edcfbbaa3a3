package io.ringmaster.workers.train;

import io.ringmaster.data.Seeds;
import java.util.SplittableRandom;

/**
 * Builds each epoch's examples for implicit feedback (He et al., WWW'17): every training interaction
 * is a positive (label 1), followed by {@code negatives} items drawn uniformly among those the user has no training
 * interaction with (label 0); then the whole epoch is shuffled. Everything is drawn from a generator
 * seeded by (seed, epoch), so the same seed gives the same examples in the same order on every run
 * and every replica.
 */
public final class NegativeSampler {

    private final int[] users;
    private final int[] items;
    private final UserItemIndex seen;
    private final int negatives;
    private final long seed;

    public NegativeSampler(int[] users, int[] items, UserItemIndex seen, int negatives, long seed) {
        if (negatives < 0) {
            throw new IllegalArgumentException("train.negatives must be >= 0, got " + negatives);
        }
        this.users = users;
        this.items = items;
        this.seen = seen;
        this.negatives = negatives;
        this.seed = seed;
        if (negatives > 0) {
            for (int u = 0; u < seen.numUsers(); u++) {
                if (seen.count(u) >= seen.numItems()) {
                    throw new IllegalArgumentException("user index " + u + " interacted with all " + seen.numItems()
                            + " items: no negatives can be sampled for it");
                }
            }
        }
    }

    /** Examples per epoch. */
    public int epochSize() {
        return users.length * (1 + negatives);
    }

    public EpochSamples sample(int epoch) {
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, -1L - epoch));
        int n = epochSize();
        int[] u = new int[n];
        int[] it = new int[n];
        float[] y = new float[n];
        int k = 0;
        for (int r = 0; r < users.length; r++) {
            int user = users[r];
            u[k] = user;
            it[k] = items[r];
            y[k] = 1f;
            k++;
            for (int j = 0; j < negatives; j++) {
                u[k] = user;
                it[k] = seen.drawUnseen(user, rng);
                y[k] = 0f;
                k++;
            }
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tu = u[i];
            u[i] = u[j];
            u[j] = tu;
            int ti = it[i];
            it[i] = it[j];
            it[j] = ti;
            float ty = y[i];
            y[i] = y[j];
            y[j] = ty;
        }
        return new EpochSamples(u, it, y);
    }
}
