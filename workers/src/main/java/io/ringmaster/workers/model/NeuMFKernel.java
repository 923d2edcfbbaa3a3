package io.ringmaster.workers.model;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * NeuMF forward and backward pass over one flat, row-major parameter buffer ({@link NeuMFLayout}):
 * the dense layers as OpenBLAS GEMMs on off-heap activations, everything else (embedding gathers
 * and scatters, GMF product, ReLU, output layer, loss) as plain Java loops.
 *
 * <p>It computes what the DL4J graph built by {@link NeuMF} computes (checked against
 * {@code ComputationGraph.computeGradientAndScore()} in the tests) without ND4J's per-operation cost,
 * which dominates at NeuMF's layer sizes. For the same inputs it returns bit-identical results on every
 * replica, so data-parallel workers stay in lock step.
 *
 * <p>Not thread-safe: one kernel per worker. Scratch space grows to the largest batch seen;
 * {@link #close()} frees its off-heap part.
 */
public final class NeuMFKernel implements AutoCloseable {

    /** Probabilities are clipped to [eps, 1-eps] in the loss, as DL4J's binary cross-entropy does. */
    public static final float CLIP_EPS = 1e-5f;

    /** Largest number of examples scored in one pass by {@link #predict}. */
    private static final int PREDICT_CHUNK = 8192;

    private final NeuMFLayout layout;
    private final int factors;
    private final int embed;
    private final int[] widths;
    private final int layers;
    private final int mlpOut;

    private int capacity;
    // heap scratch
    private float[] gmf;
    private float[] last;
    private float[] dz;
    private float[] dx0;
    // off-heap scratch: act[0] is the concatenated MLP embedding, act[l+1] the output of dense layer l
    private final NativeFloats[] act;
    private final NativeFloats[] dact;
    private final NativeFloats[] weights;
    private final NativeFloats[] dWeights;
    private final NativeFloats[] dBias;
    private final NativeFloats ones;
    private boolean closed;

    public NeuMFKernel(NeuMFLayout layout) {
        this.layout = layout;
        NeuMFSpec spec = layout.spec();
        this.factors = spec.factors();
        this.embed = spec.mlpEmbedding();
        this.widths = spec.mlpLayers();
        this.layers = widths.length - 1;
        this.mlpOut = spec.mlpOut();
        act = new NativeFloats[layers + 1];
        dact = new NativeFloats[layers + 1];
        weights = new NativeFloats[layers];
        dWeights = new NativeFloats[layers];
        dBias = new NativeFloats[layers];
        for (int l = 0; l <= layers; l++) {
            act[l] = new NativeFloats(0);
            dact[l] = new NativeFloats(0);
        }
        for (int l = 0; l < layers; l++) {
            weights[l] = new NativeFloats(widths[l] * widths[l + 1]);
            dWeights[l] = new NativeFloats(widths[l] * widths[l + 1]);
            dBias[l] = new NativeFloats(widths[l + 1]);
        }
        ones = new NativeFloats(0);
        ensureCapacity(256);
    }

    /** Threads OpenBLAS may use per call, process-wide (one per worker is fastest when workers fill the cores). */
    public static void useBlasThreads(int threads) {
        OpenBlas.setThreads(threads);
    }

    public NeuMFLayout layout() {
        return layout;
    }

    private void ensureCapacity(int n) {
        if (closed) {
            throw new IllegalStateException("kernel is closed");
        }
        if (n <= capacity) {
            return;
        }
        capacity = Math.max(n, capacity * 2);
        gmf = new float[capacity * factors];
        last = new float[capacity * mlpOut];
        dz = new float[capacity];
        dx0 = new float[capacity * widths[0]];
        for (int l = 0; l <= layers; l++) {
            act[l].ensure(capacity * widths[l]);
            dact[l].ensure(capacity * widths[l]);
        }
        ones.ensure(capacity);
        FloatBuffer o = ones.buffer();
        for (int i = 0; i < capacity; i++) {
            o.put(i, 1f);
        }
    }

    /** Writes the predicted probability for each (user, item) pair into {@code out[0..n)}. */
    public void predict(float[] params, int[] users, int[] items, int n, float[] out) {
        for (int from = 0; from < n; from += PREDICT_CHUNK) {
            int m = Math.min(PREDICT_CHUNK, n - from);
            ensureCapacity(m);
            forward(params, users, items, from, m);
            for (int b = 0; b < m; b++) {
                out[from + b] = sigmoid(dz[b]);
            }
        }
    }

    /**
     * Forward and backward pass over {@code n} examples starting at {@code from}. Overwrites
     * {@code grad} with the gradient of the mean binary cross-entropy over those examples and returns
     * that mean loss.
     */
    public double gradient(float[] params, int[] users, int[] items, float[] labels, int from, int n, float[] grad) {
        if (n <= 0) {
            throw new IllegalArgumentException("empty batch");
        }
        ensureCapacity(n);
        forward(params, users, items, from, n);

        // loss and dL/dz, matching DL4J's LossBinaryXENT with a sigmoid output (dz held the logits)
        double loss = 0;
        float inv = 1.0f / n;
        for (int b = 0; b < n; b++) {
            float p = sigmoid(dz[b]);
            float pc = Math.min(Math.max(p, CLIP_EPS), 1f - CLIP_EPS);
            float y = labels[from + b];
            loss -= y * Math.log(pc) + (1 - y) * Math.log(1 - pc);
            float dlda = (pc - y) / (pc * (1 - pc));
            dz[b] = dlda * (p * (1 - p)) * inv;
        }

        Arrays.fill(grad, 0f);
        int outW = layout.outW();
        int hMlp = outW + factors;
        float dBiasOut = 0;
        for (int b = 0; b < n; b++) {
            float d = dz[b];
            dBiasOut += d;
            int g = b * factors;
            for (int k = 0; k < factors; k++) {
                grad[outW + k] += d * gmf[g + k];
            }
            int a = b * mlpOut;
            for (int k = 0; k < mlpOut; k++) {
                grad[hMlp + k] += d * last[a + k];
            }
            // gradient at the last dense layer's pre-activation (ReLU mask applied)
            for (int k = 0; k < mlpOut; k++) {
                last[a + k] = last[a + k] > 0f ? d * params[hMlp + k] : 0f;
            }
        }
        grad[layout.outB()] = dBiasOut;
        dact[layers].buffer().put(0, last, 0, n * mlpOut);

        for (int l = layers - 1; l >= 0; l--) {
            int in = widths[l];
            int out = widths[l + 1];
            // dact[l+1] holds dL/d(pre-activation of layer l)
            OpenBlas.gemm(true, false, in, out, n, act[l], in, dact[l + 1], out, 0f, dWeights[l], out);
            dWeights[l].buffer().get(0, grad, layout.denseW(l), in * out);
            OpenBlas.gemvTransposed(n, out, dact[l + 1], ones, dBias[l]);
            dBias[l].buffer().get(0, grad, layout.denseB(l), out);
            OpenBlas.gemm(false, true, n, in, out, dact[l + 1], out, weights[l], out, 0f, dact[l], in);
            if (l > 0) {
                FloatBuffer dx = dact[l].buffer();
                FloatBuffer x = act[l].buffer();
                for (int i = 0, e = n * in; i < e; i++) {
                    if (x.get(i) <= 0f) {
                        dx.put(i, 0f);
                    }
                }
            }
        }

        // embeddings: scatter-add into the touched rows
        dact[0].buffer().get(0, dx0, 0, n * widths[0]);
        int gu = layout.gmfUser();
        int gi = layout.gmfItem();
        int mu = layout.mlpUser();
        int mi = layout.mlpItem();
        int w0 = widths[0];
        for (int b = 0; b < n; b++) {
            int u = users[from + b];
            int it = items[from + b];
            float d = dz[b];
            int pu = gu + u * factors;
            int qi = gi + it * factors;
            for (int k = 0; k < factors; k++) {
                float dg = d * params[outW + k];
                grad[pu + k] += dg * params[qi + k];
                grad[qi + k] += dg * params[pu + k];
            }
            int xo = b * w0;
            int uo = mu + u * embed;
            int io = mi + it * embed;
            for (int k = 0; k < embed; k++) {
                grad[uo + k] += dx0[xo + k];
                grad[io + k] += dx0[xo + embed + k];
            }
        }
        return loss / n;
    }

    /** Fills the activations and leaves the output logits in {@code dz[0..n)}. */
    private void forward(float[] params, int[] users, int[] items, int from, int n) {
        int gu = layout.gmfUser();
        int gi = layout.gmfItem();
        int mu = layout.mlpUser();
        int mi = layout.mlpItem();
        int w0 = widths[0];
        FloatBuffer x0 = act[0].buffer();
        for (int b = 0; b < n; b++) {
            int u = users[from + b];
            int it = items[from + b];
            int pu = gu + u * factors;
            int qi = gi + it * factors;
            int g = b * factors;
            for (int k = 0; k < factors; k++) {
                gmf[g + k] = params[pu + k] * params[qi + k];
            }
            x0.put(b * w0, params, mu + u * embed, embed);
            x0.put(b * w0 + embed, params, mi + it * embed, embed);
        }
        for (int l = 0; l < layers; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            weights[l].buffer().put(0, params, layout.denseW(l), in * out);
            OpenBlas.gemm(false, false, n, out, in, act[l], in, weights[l], out, 0f, act[l + 1], out);
            FloatBuffer y = act[l + 1].buffer();
            int bOff = layout.denseB(l);
            for (int b = 0, i = 0; b < n; b++) {
                for (int o = 0; o < out; o++, i++) {
                    float v = y.get(i) + params[bOff + o];
                    y.put(i, v > 0f ? v : 0f);
                }
            }
        }
        act[layers].buffer().get(0, last, 0, n * mlpOut);
        int outW = layout.outW();
        int hMlp = outW + factors;
        float bias = params[layout.outB()];
        for (int b = 0; b < n; b++) {
            float z = bias;
            int g = b * factors;
            for (int k = 0; k < factors; k++) {
                z += gmf[g + k] * params[outW + k];
            }
            int a = b * mlpOut;
            for (int k = 0; k < mlpOut; k++) {
                z += last[a + k] * params[hMlp + k];
            }
            dz[b] = z;
        }
    }

    static float sigmoid(float z) {
        return (float) (1.0 / (1.0 + Math.exp(-z)));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (NativeFloats f : act) {
            f.close();
        }
        for (NativeFloats f : dact) {
            f.close();
        }
        for (int l = 0; l < layers; l++) {
            weights[l].close();
            dWeights[l].close();
            dBias[l].close();
        }
        ones.close();
    }
}
