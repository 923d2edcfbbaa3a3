package io.ringmaster.workers.model;

/**
 * Adam over one flat parameter buffer, with the same arithmetic as ND4J's {@code AdamUpdater}
 * (the updater DL4J applies to {@link NeuMF}): {@code m = b1·m + (1-b1)·g},
 * {@code v = b2·v + (1-b2)·g²}, {@code p -= α_t·m / (sqrt(v) + ε)} with
 * {@code α_t = lr·sqrt(1-b2^t) / (1-b1^t)}.
 *
 * <p>Its state (m, v, step count) has the same meaning as DL4J's updater state, so
 * {@link GraphParameters} can move it into a {@code ComputationGraph} and back.
 */
public final class AdamOptimizer {

    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-8;

    private final double learningRate;
    private final float[] m;
    private final float[] v;
    private long step;

    public AdamOptimizer(int size, double learningRate) {
        this.learningRate = learningRate;
        this.m = new float[size];
        this.v = new float[size];
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
    public void apply(float[] params, float[] grad) {
        if (params.length != m.length || grad.length != m.length) {
            throw new IllegalArgumentException("Adam state holds " + m.length + " values, got params="
                    + params.length + " grad=" + grad.length);
        }
        double t = step + 1;
        double alpha = learningRate * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
        if (Double.isNaN(alpha) || alpha == 0 || Double.isInfinite(alpha)) {
            alpha = EPSILON;
        }
        final float a = (float) alpha;
        final float b1 = (float) BETA1;
        final float b2 = (float) BETA2;
        final float c1 = (float) (1 - BETA1);
        final float c2 = (float) (1 - BETA2);
        final float eps = (float) EPSILON;
        final float[] m = this.m;
        final float[] v = this.v;
        for (int i = 0; i < params.length; i++) {
            float g = grad[i];
            float mi = b1 * m[i] + g * c1;
            float vi = b2 * v[i] + g * g * c2;
            m[i] = mi;
            v[i] = vi;
            params[i] -= mi * a / ((float) Math.sqrt(vi) + eps);
        }
        step++;
    }
}
