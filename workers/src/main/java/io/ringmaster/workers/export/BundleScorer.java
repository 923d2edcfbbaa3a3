package io.ringmaster.workers.export;

import io.ringmaster.workers.eval.Scorer;
import io.ringmaster.workers.model.FactorModel;
import io.ringmaster.workers.model.NeuMFKernel;
import io.ringmaster.workers.model.NeuMFLayout;
import io.ringmaster.workers.model.NeuMFSpec;
import java.util.function.IntPredicate;

/**
 * Scores (user, item) index pairs with a bundle's model, in large batches: a user's whole catalogue at
 * once for top-K. A NeuMF bundle scores through the fused kernel (logits); a factor bundle (ALS, item2vec,
 * SVD) by the dot product of its rows, which ranks the same way. Not thread-safe.
 */
public final class BundleScorer implements AutoCloseable {

    private final int numItems;
    private final Scorer model;
    private final AutoCloseable resources;
    private int[] users = new int[0];
    private int[] items = new int[0];
    private float[] out = new float[0];

    BundleScorer(NeuMFSpec spec, float[] params) {
        NeuMFKernel kernel = new NeuMFKernel(new NeuMFLayout(spec));
        this.numItems = spec.numItems();
        this.model = (u, i, n, result) -> kernel.logits(params, u, i, n, result);
        this.resources = kernel::close;
    }

    BundleScorer(FactorModel factors) {
        this.numItems = factors.items();
        this.model = factors;
        this.resources = () -> { };
    }

    /** Scores ({@code n} index pairs): NeuMF's output logits, a factor model's dot products. */
    public void logits(int[] u, int[] i, int n, float[] result) {
        model.score(u, i, n, result);
    }

    public static float probability(float logit) {
        return (float) (1 / (1 + Math.exp(-logit)));
    }

    /**
     * The {@code k} highest-scoring items for {@code user} (by logit; ties to the lower index), skipping
     * items {@code exclude} accepts; fills {@code topItems}/{@code topLogits} and returns how many.
     */
    public int topK(int user, int k, IntPredicate exclude, int[] topItems, float[] topLogits) {
        int n = numItems;
        if (users.length < n) {
            users = new int[n];
            items = new int[n];
            out = new float[n];
        }
        for (int i = 0; i < n; i++) {
            users[i] = user;
            items[i] = i;
        }
        model.score(users, items, n, out);
        int size = 0;
        for (int i = 0; i < n; i++) {
            if (exclude.test(i)) {
                continue;
            }
            float s = out[i];
            if (size < k) { // insertion into a sorted list of at most k
                int at = size++;
                while (at > 0 && topLogits[at - 1] < s) {
                    topLogits[at] = topLogits[at - 1];
                    topItems[at] = topItems[at - 1];
                    at--;
                }
                topLogits[at] = s;
                topItems[at] = i;
            } else if (s > topLogits[k - 1]) {
                int at = k - 1;
                while (at > 0 && topLogits[at - 1] < s) {
                    topLogits[at] = topLogits[at - 1];
                    topItems[at] = topItems[at - 1];
                    at--;
                }
                topLogits[at] = s;
                topItems[at] = i;
            }
        }
        return size;
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
