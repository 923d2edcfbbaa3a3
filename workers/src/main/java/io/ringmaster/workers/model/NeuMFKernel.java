package io.ringmaster.workers.model;

import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.gradient.SparseRows;
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
    // heap scratch: post-ReLU activations of each dense layer (for the masks), GMF vectors, logits/dz
    private float[] gmf;
    private final float[][] relu;
    private float[] delta;
    private float[] biasTile;
    private float[] dz;
    private float[] dx0;
    // where each example's user and item rows are in the gradient's touched rows
    private int[] slotU;
    private int[] slotI;
    // off-heap BLAS operands: act[0] is the concatenated MLP embedding, act[l+1] the output of dense layer l;
    // dact[l] the gradient with respect to act[l] (masked to the pre-activation where it feeds a gemm)
    private final NativeFloats[] act;
    private final NativeFloats[] dact;
    private final NativeFloats[] weights;
    private final NativeFloats[] dWeights;
    private boolean closed;
    /** Where {@link #touch} leaves its sum, so the loads are not optimised away. */
    private float touched;

    public NeuMFKernel(NeuMFLayout layout) {
        this.layout = layout;
        NeuMFSpec spec = layout.spec();
        this.factors = spec.factors();
        this.embed = spec.mlpEmbedding();
        this.widths = spec.mlpLayers();
        this.layers = widths.length - 1;
        this.mlpOut = spec.mlpOut();
        relu = new float[layers + 1][];
        act = new NativeFloats[layers + 1];
        dact = new NativeFloats[layers + 1];
        weights = new NativeFloats[layers];
        dWeights = new NativeFloats[layers];
        for (int l = 0; l <= layers; l++) {
            act[l] = new NativeFloats(0);
            dact[l] = new NativeFloats(0);
        }
        for (int l = 0; l < layers; l++) {
            weights[l] = new NativeFloats(widths[l] * widths[l + 1]);
            dWeights[l] = new NativeFloats(widths[l] * widths[l + 1]);
        }
        ensureCapacity(256);
    }

    /** Threads OpenBLAS may use per call, process-wide (one per worker is fastest when workers fill the cores). */
    public static void useBlasThreads(int threads) {
        OpenBlas.setThreads(threads);
    }

    private void ensureCapacity(int n) {
        if (closed) {
            throw new IllegalStateException("kernel is closed");
        }
        if (n <= capacity) {
            return;
        }
        capacity = Math.max(n, capacity * 2);
        int maxWidth = 0;
        for (int w : widths) {
            maxWidth = Math.max(maxWidth, w);
        }
        gmf = new float[capacity * factors];
        for (int l = 1; l <= layers; l++) {
            relu[l] = new float[capacity * widths[l]];
        }
        delta = new float[capacity * maxWidth];
        biasTile = new float[capacity * maxWidth];
        dz = new float[capacity];
        dx0 = new float[capacity * widths[0]];
        slotU = new int[capacity];
        slotI = new int[capacity];
        for (int l = 0; l <= layers; l++) {
            act[l].ensure(capacity * widths[l]);
            dact[l].ensure(capacity * widths[l]);
        }
    }

    /** Writes the predicted probability for each (user, item) pair into {@code out[0..n)}. */
    public void predict(float[] params, int[] users, int[] items, int n, float[] out) {
        logits(params, users, items, n, out);
        for (int b = 0; b < n; b++) {
            out[b] = sigmoid(out[b]);
        }
    }

    /**
     * Writes the output logit for each pair into {@code out[0..n)}: the same order as the probability,
     * without float saturation (sigmoid rounds to exactly 1 above a logit of about 17).
     */
    public void logits(float[] params, int[] users, int[] items, int n, float[] out) {
        for (int from = 0; from < n; from += PREDICT_CHUNK) {
            int m = Math.min(PREDICT_CHUNK, n - from);
            ensureCapacity(m);
            forward(params, users, items, from, m);
            System.arraycopy(dz, 0, out, from, m);
        }
    }

    /**
     * Forward and backward pass over {@code n} examples starting at {@code from}. Overwrites
     * {@code grad} ({@link NeuMFLayout#gradientLayout()}) with the gradient of the mean binary
     * cross-entropy over those examples: the dense block, and the rows of the four embedding tables the
     * examples touched (nothing proportional to the tables). Returns that mean loss.
     */
    public double gradient(float[] params, int[] users, int[] items, float[] labels, int from, int n, Gradient grad) {
        if (n <= 0) {
            throw new IllegalArgumentException("empty batch");
        }
        if (grad.layout().size() != layout.size() || params.length != layout.size()
                || grad.layout().denseOffset() != layout.embeddingEnd() || grad.tableCount() != 2) {
            throw new IllegalArgumentException("buffers hold " + params.length
                    + " parameters and a gradient laid out as "
                    + grad.layout() + "; the model is " + layout.gradientLayout());
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
            if (y == 0f || y == 1f) {
                loss -= Math.log(y == 1f ? pc : 1 - pc); // one log for hard labels
            } else {
                loss -= y * Math.log(pc) + (1 - y) * Math.log(1 - pc);
            }
            float dlda = (pc - y) / (pc * (1 - pc));
            dz[b] = dlda * (p * (1 - p)) * inv;
        }

        // the dense block: offsets relative to its start
        float[] dg = grad.dense();
        Arrays.fill(dg, 0f);
        int d0 = layout.embeddingEnd();
        int outW = layout.outW();
        int hMlp = outW + factors;
        float[] last = relu[layers];
        float dBiasOut = 0;
        for (int b = 0; b < n; b++) {
            float d = dz[b];
            dBiasOut += d;
            int g = b * factors;
            for (int k = 0; k < factors; k++) {
                dg[outW - d0 + k] += d * gmf[g + k];
            }
            int a = b * mlpOut;
            for (int k = 0; k < mlpOut; k++) {
                dg[hMlp - d0 + k] += d * last[a + k];
                delta[a + k] = d * params[hMlp + k];
            }
        }
        dg[layout.outB() - d0] = dBiasOut;
        // gradient at the last dense layer's pre-activation, and that layer's bias gradient
        maskAndSumColumns(delta, last, n, mlpOut, dg, layout.denseB(layers - 1) - d0);
        dact[layers].buffer().put(0, delta, 0, n * mlpOut);

        for (int l = layers - 1; l >= 0; l--) {
            int in = widths[l];
            int out = widths[l + 1];
            // dact[l+1] holds dL/d(pre-activation of layer l)
            OpenBlas.gemm(true, false, in, out, n, act[l], in, dact[l + 1], out, 0f, dWeights[l], out);
            dWeights[l].buffer().get(0, dg, layout.denseW(l) - d0, in * out);
            OpenBlas.gemm(false, true, n, in, out, dact[l + 1], out, weights[l], out, 0f, dact[l], in);
            if (l > 0) {
                dact[l].buffer().get(0, delta, 0, n * in);
                maskAndSumColumns(delta, relu[l], n, in, dg, layout.denseB(l - 1) - d0);
                dact[l].buffer().put(0, delta, 0, n * in);
            }
        }

        // embeddings: the touched user and item rows, summed per row in example order
        SparseRows userRows = grad.table(0);
        SparseRows itemRows = grad.table(1);
        userRows.clear();
        userRows.reserve(n);
        itemRows.clear();
        itemRows.reserve(n);
        int w = layout.rowWidth();
        for (int b = 0; b < n; b++) {
            slotU[b] = userRows.add(users[from + b]) * w;
            slotI[b] = itemRows.add(items[from + b]) * w;
        }
        float[] ru = userRows.values();
        float[] ri = itemRows.values();
        dact[0].buffer().get(0, dx0, 0, n * widths[0]);
        int mlp = layout.mlp();
        int w0 = widths[0];
        for (int b = 0; b < n; b++) {
            int pu = layout.user(users[from + b]);
            int qi = layout.item(items[from + b]);
            float d = dz[b];
            int su = slotU[b];
            int si = slotI[b];
            for (int k = 0; k < factors; k++) {
                float dgk = d * params[outW + k];
                ru[su + k] += dgk * params[qi + k];
                ri[si + k] += dgk * params[pu + k];
            }
            int xo = b * w0;
            int uo = su + mlp;
            int io = si + mlp;
            for (int k = 0; k < embed; k++) {
                ru[uo + k] += dx0[xo + k];
                ri[io + k] += dx0[xo + embed + k];
            }
        }
        return loss / n;
    }

    /**
     * {@code d[i] = 0} wherever the ReLU output {@code y[i]} is 0, then adds the column sums of {@code d}
     * (the bias gradient) to {@code grad[biasOff ..]}. The mask is branch-free and vectorises: for
     * {@code y >= 0}, {@code min(1, y·2^100·2^49)} is exactly 1 when {@code y > 0} (the smallest positive
     * float is 2^-149) and 0 when {@code y == 0}. A branch would mispredict constantly: about half of
     * the units are off, at random.
     */
    private static void maskAndSumColumns(float[] d, float[] y, int rows, int cols, float[] grad, int biasOff) {
        int e = rows * cols;
        for (int i = 0; i < e; i++) {
            d[i] *= Math.min(1f, y[i] * 0x1p100f * 0x1p49f);
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                grad[biasOff + c] += d[o + c];
            }
        }
    }

    /** Repeats {@code params[off, off+width)} {@code rows} times into {@code tile}. */
    private static void tile(float[] params, int off, int width, int rows, float[] tile) {
        System.arraycopy(params, off, tile, 0, width);
        int filled = width;
        int total = rows * width;
        while (filled < total) {
            int n = Math.min(filled, total - filled);
            System.arraycopy(tile, 0, tile, filled, n);
            filled += n;
        }
    }

    /** Fills the activations and leaves the output logits in {@code dz[0..n)}. */
    private void forward(float[] params, int[] users, int[] items, int from, int n) {
        int w0 = widths[0];
        int mlp = layout.mlp();
        float[] x0 = dx0; // heap staging for the gathered MLP embeddings, copied off-heap in one go
        int numUsers = layout.spec().numUsers();
        int numItems = layout.spec().numItems();
        for (int b = 0; b < n; b++) {
            int u = users[from + b];
            int it = items[from + b];
            if (u < 0 || u >= numUsers || it < 0 || it >= numItems) {
                throw new IllegalArgumentException("example " + (from + b) + ": user " + u + " / item " + it
                        + " outside the model's 0.." + (numUsers - 1) + " users / 0.." + (numItems - 1) + " items");
            }
        }
        touch(params, users, items, from, n);
        for (int b = 0; b < n; b++) {
            int pu = layout.user(users[from + b]);
            int qi = layout.item(items[from + b]);
            int g = b * factors;
            for (int k = 0; k < factors; k++) {
                gmf[g + k] = params[pu + k] * params[qi + k];
            }
            System.arraycopy(params, pu + mlp, x0, b * w0, embed);
            System.arraycopy(params, qi + mlp, x0, b * w0 + embed, embed);
        }
        act[0].buffer().put(0, x0, 0, n * w0);
        for (int l = 0; l < layers; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            weights[l].buffer().put(0, params, layout.denseW(l), in * out);
            OpenBlas.gemm(false, false, n, out, in, act[l], in, weights[l], out, 0f, act[l + 1], out);
            float[] y = relu[l + 1];
            act[l + 1].buffer().get(0, y, 0, n * out);
            tile(params, layout.denseB(l), out, n, biasTile);
            for (int i = 0, e = n * out; i < e; i++) {
                float v = y[i] + biasTile[i];
                y[i] = (v + Math.abs(v)) * 0.5f; // max(v, 0) exactly, and it vectorises
            }
            if (l + 1 < layers) {
                act[l + 1].buffer().put(0, y, 0, n * out);
            }
        }
        float[] last = relu[layers];
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

    /**
     * Loads the first and last value of every row the batch uses, before anything waits on them: the
     * loads are independent, so the CPU fetches the rows from memory in parallel, where the gathers after
     * would meet each miss in turn. At catalogue sizes most rows are in no cache.
     */
    private void touch(float[] params, int[] users, int[] items, int from, int n) {
        int last = layout.rowWidth() - 1;
        int mid = layout.rowWidth() / 2;
        float sink = 0;
        for (int b = 0; b < n; b++) {
            int pu = layout.user(users[from + b]);
            int qi = layout.item(items[from + b]);
            sink += params[pu] + params[pu + mid] + params[pu + last] + params[qi] + params[qi + mid] + params[qi
                    + last];
        }
        touched = sink;
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
        }
    }
}
