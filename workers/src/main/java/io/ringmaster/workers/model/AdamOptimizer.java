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
    private float[] scratchP = new float[0];
    private float[] scratchM = new float[0];
    private float[] scratchV = new float[0];
    private float[] flat = new float[0];
    /** Where the touch before a gather leaves its sum, so its loads are not optimised away. */
    private float touched;

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
        if (embeddings == EmbeddingOptimizer.ADAM) {
            updateAll(params, grad, a);
        } else {
            int d = grad.dense().length;
            gather(params, grad.layout().denseOffset(), d, 0);
            update(scratchP, scratchM, scratchV, grad.dense(), d, a);
            scatter(params, grad.layout().denseOffset(), d, 0);
            for (SparseRows rows : grad.tables()) {
                updateRows(params, rows, a);
            }
        }
        step++;
    }

    /**
     * Lazy Adam for a table: only the held rows, so the cost is the rows touched. Their parameters and
     * moments are gathered into contiguous scratch, updated in one loop and scattered back.
     */
    private void updateRows(float[] params, SparseRows rows, float a) {
        EmbeddingTable t = rows.table();
        int w = t.width();
        int k = rows.count();
        int[] ids = rows.ids();
        // first touch every row's three places (independent loads: fetched from memory in parallel)
        float sink = 0;
        for (int s = 0; s < k; s++) {
            int at = t.offset() + ids[s] * w;
            int mid = at + w / 2;
            int end = at + w - 1;
            sink += params[at] + m[at] + v[at] + params[mid] + m[mid] + v[mid] + params[end] + m[end] + v[end];
        }
        touched = sink;
        for (int s = 0; s < k; s++) {
            gather(params, t.offset() + ids[s] * w, w, s * w);
        }
        update(scratchP, scratchM, scratchV, rows.values(), k * w, a);
        for (int s = 0; s < k; s++) {
            scatter(params, t.offset() + ids[s] * w, w, s * w);
        }
    }

    /**
     * Dense Adam: every parameter, those of rows no rank touched with a zero gradient, so the cost is
     * the model. The gradient is laid out in a model-sized buffer (cleared again row by row afterwards)
     * and everything is updated in one loop, exactly as before embedding gradients were kept sparse.
     */
    private void updateAll(float[] params, Gradient grad, float a) {
        if (flat.length < m.length) {
            flat = new float[m.length];
        }
        int d0 = grad.layout().denseOffset();
        System.arraycopy(grad.dense(), 0, flat, d0, grad.dense().length);
        for (SparseRows rows : grad.tables()) {
            rows.addTo(flat);
        }
        update(params, m, v, flat, m.length, a);
        java.util.Arrays.fill(flat, d0, d0 + grad.dense().length, 0f);
        for (SparseRows rows : grad.tables()) {
            EmbeddingTable t = rows.table();
            int w = t.width();
            for (int s = 0; s < rows.count(); s++) {
                int at = t.offset() + rows.ids()[s] * w;
                java.util.Arrays.fill(flat, at, at + w, 0f);
            }
        }
    }

    private void gather(float[] params, int from, int n, int to) {
        if (scratchP.length < to + n) {
            int size = Math.max(to + n, 2 * scratchP.length);
            scratchP = java.util.Arrays.copyOf(scratchP, size);
            scratchM = java.util.Arrays.copyOf(scratchM, size);
            scratchV = java.util.Arrays.copyOf(scratchV, size);
        }
        System.arraycopy(params, from, scratchP, to, n);
        System.arraycopy(m, from, scratchM, to, n);
        System.arraycopy(v, from, scratchV, to, n);
    }

    private void scatter(float[] params, int to, int n, int from) {
        System.arraycopy(scratchP, from, params, to, n);
        System.arraycopy(scratchM, from, m, to, n);
        System.arraycopy(scratchV, from, v, to, n);
    }

    /**
     * Adam on {@code p, m, v, g [0, n)}: the same index into every array, so the JIT vectorises the loop
     * (with different offsets it cannot rule out overlap and stays scalar, about 10x slower).
     */
    private static void update(float[] p, float[] m, float[] v, float[] g, int n, float a) {
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float mi = B1 * m[i] + gi * C1;
            float vi = B2 * v[i] + gi * gi * C2;
            m[i] = mi;
            v[i] = vi;
            p[i] -= mi * a / ((float) Math.sqrt(vi) + EPS);
        }
    }
}
