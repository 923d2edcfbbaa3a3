package io.ringmaster.workers.model;

import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.gradient.SparseRows;

/**
 * Adam over one flat parameter buffer, with the same arithmetic as ND4J's {@code AdamUpdater}
 * (the updater DL4J applies to {@link NeuMF}): {@code m = b1·m + (1-b1)·g},
 * {@code v = b2·v + (1-b2)·g²}, {@code p -= α_t·m / (sqrt(v) + ε)} with
 * {@code α_t = lr·sqrt(1-b2^t) / (1-b1^t)}. The dense block of a {@link Gradient} is updated as
 * that; its embedding tables as {@link EmbeddingOptimizer} says: only the rows it holds
 * ({@code lazy-adam}), or every row, those it does not hold with a zero gradient ({@code adam}).
 *
 * <p>Its state (m, v, step count) has the same meaning as DL4J's updater state, so
 * {@link GraphParameters} can move it into a {@code ComputationGraph} and back.
 */
public final class AdamOptimizer {

    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-8;

    private static final float B1 = (float) BETA1;
    private static final float B2 = (float) BETA2;
    private static final float C1 = (float) (1 - BETA1);
    private static final float C2 = (float) (1 - BETA2);
    private static final float EPS = (float) EPSILON;

    private final double learningRate;
    private final EmbeddingOptimizer embeddings;
    private final float[] m;
    private final float[] v;
    private long step;

    public AdamOptimizer(int size, double learningRate, EmbeddingOptimizer embeddings) {
        this.learningRate = learningRate;
        this.embeddings = embeddings;
        this.m = new float[size];
        this.v = new float[size];
    }

    public EmbeddingOptimizer embeddings() {
        return embeddings;
    }

    /** Number of updates applied so far (DL4J's iteration count). */
    public long step() {
        return step;
    }

    public void setStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("negative step " + step);
        }
        this.step = step;
    }

    /** First-moment estimates; the live array. */
    public float[] m() {
        return m;
    }

    /** Second-moment estimates; the live array. */
    public float[] v() {
        return v;
    }

    /** Applies one Adam step of {@code grad} to {@code params} and advances the step count. */
    public void apply(float[] params, Gradient grad) {
        if (params.length != m.length || grad.layout().size() != m.length) {
            throw new IllegalArgumentException("Adam state holds " + m.length + " values, got params="
                    + params.length + " gradient=" + grad.layout().size());
        }
        double t = step + 1;
        double alpha = learningRate * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
        if (Double.isNaN(alpha) || alpha == 0 || Double.isInfinite(alpha)) {
            alpha = EPSILON;
        }
        final float a = (float) alpha;
        update(params, grad.layout().denseOffset(), grad.dense(), 0, grad.dense().length, a);
        for (SparseRows rows : grad.tables()) {
            if (embeddings == EmbeddingOptimizer.LAZY_ADAM) {
                updateRows(params, rows, a);
            } else {
                updateTable(params, rows, a);
            }
        }
        step++;
    }

    /** Only the held rows (lazy Adam): the cost is the rows touched. */
    private void updateRows(float[] params, SparseRows rows, float a) {
        EmbeddingTable t = rows.table();
        int w = t.width();
        int[] ids = rows.ids();
        float[] g = rows.values();
        for (int s = 0, n = rows.count(); s < n; s++) {
            update(params, t.offset() + ids[s] * w, g, s * w, w, a);
        }
    }

    /** Every row, those not held with a zero gradient (dense Adam): the cost is the table. */
    private void updateTable(float[] params, SparseRows rows, float a) {
        EmbeddingTable t = rows.table();
        int w = t.width();
        float[] g = rows.values();
        for (int id = 0; id < t.rows(); id++) {
            int s = rows.slot(id);
            if (s >= 0) {
                update(params, t.offset() + id * w, g, s * w, w, a);
            } else {
                decay(params, t.offset() + id * w, w, a);
            }
        }
    }

    private void update(float[] params, int p, float[] grad, int gi, int n, float a) {
        final float[] m = this.m;
        final float[] v = this.v;
        for (int i = 0; i < n; i++) {
            float g = grad[gi + i];
            int j = p + i;
            float mi = B1 * m[j] + g * C1;
            float vi = B2 * v[j] + g * g * C2;
            m[j] = mi;
            v[j] = vi;
            params[j] -= mi * a / ((float) Math.sqrt(vi) + EPS);
        }
    }

    /** {@link #update} with a zero gradient, written out so the arithmetic is exactly the same. */
    private void decay(float[] params, int p, int n, float a) {
        final float[] m = this.m;
        final float[] v = this.v;
        final float g = 0f;
        for (int j = p, e = p + n; j < e; j++) {
            float mi = B1 * m[j] + g * C1;
            float vi = B2 * v[j] + g * g * C2;
            m[j] = mi;
            v[j] = vi;
            params[j] -= mi * a / ((float) Math.sqrt(vi) + EPS);
        }
    }
}
