package io.ringmaster.workers.model;

import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.train.Examples;
import io.ringmaster.workers.gradient.GradientLayout;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reference engine: DL4J's own graph on whatever ND4J backend is loaded (CPU or CUDA).
 * {@code computeGradientAndScore()} gives the gradient (a view, copied out as the batch mean), the
 * hook may rewrite it, then DL4J's updater turns it into the Adam step, which is subtracted from the
 * parameters. Slower than {@link FusedEngine} on CPU (ND4J's per-op cost) but independent of it.
 * Its gradient is one dense block (embedding tables included) and its Adam is DL4J's dense one.
 */
public final class Dl4jEngine implements GraphEngine {

    private static final int PREDICT_CHUNK = 8192;
    /** Floats hold every integer up to 2^24 exactly. */
    static final long MAX_EXACT_INDEX = 1L << 24;

    private final ComputationGraph graph;
    private final Gradient grad;
    private org.deeplearning4j.nn.gradient.Gradient lastGradient;
    private int epoch;

    public Dl4jEngine(NeuMFSpec spec) {
        this(NeuMF.build(spec));
    }

    public Dl4jEngine(ComputationGraph graph) {
        long rows = Math.max(graph.getParam(NeuMF.GMF_USER + "_W").size(0),
                graph.getParam(NeuMF.GMF_ITEM + "_W").size(0));
        if (rows > MAX_EXACT_INDEX) {
            throw new IllegalArgumentException("the dl4j engine passes user and item indices to DL4J as floats, exact"
                    + " only below " + MAX_EXACT_INDEX + "; this model has " + rows + " rows: use train.engine: fused");
        }
        this.graph = graph;
        this.grad = new Gradient(GradientLayout.dense((int) graph.numParams()));
    }

    @Override
    public String name() {
        return "dl4j";
    }

    /** Epoch number handed to DL4J's updater (only learning-rate schedules use it). */
    @Override
    public void startEpoch(int epoch) {
        this.epoch = epoch;
    }

    @Override
    public double computeGradient(Examples batch, int from, int n) {
        int[] users = batch.column(Examples.USER);
        int[] items = batch.column(Examples.ITEM);
        float[] labels = batch.labels();
        graph.setInputs(NeuMF.column(users, from, n), NeuMF.column(items, from, n));
        graph.setLabels(NeuMF.column(labels, from, n));
        graph.computeGradientAndScore();
        lastGradient = graph.gradient();
        // DL4J's gradient is summed over the batch (its updater divides); expose the mean
        INDArray view = lastGradient.gradient();
        float[] mean = view.dup().divi(n).data().asFloat();
        System.arraycopy(mean, 0, grad.dense(), 0, mean.length);
        return graph.score();
    }

    @Override
    public Gradient gradient() {
        return grad;
    }

    @Override
    public void applyUpdate() {
        if (lastGradient == null) {
            throw new IllegalStateException("applyUpdate() before computeGradient()");
        }
        INDArray view = lastGradient.gradient();
        view.assign(Nd4j.createFromArray(grad.dense()).reshape(view.shape()));
        int iteration = graph.getConfiguration().getIterationCount();
        // batch size 1: the gradient is already a mean
        graph.getUpdater().update(lastGradient, iteration, epoch, 1, LayerWorkspaceMgr.noWorkspaces());
        graph.params().subi(view);
        graph.getConfiguration().setIterationCount(iteration + 1);
        lastGradient = null;
    }

    /** Predicted probabilities for {@code n} (user, item) pairs. */
    public void predict(int[] users, int[] items, int n, float[] out) {
        for (int from = 0; from < n; from += PREDICT_CHUNK) {
            int m = Math.min(PREDICT_CHUNK, n - from);
            INDArray p = graph.output(false, NeuMF.column(users, from, m), NeuMF.column(items, from, m))[0];
            float[] v = p.dup().data().asFloat();
            System.arraycopy(v, 0, out, from, m);
        }
    }

    @Override
    public void scores(int[] users, int[] items, int n, float[] out) {
        INDArray w = graph.getParam(NeuMF.OUTPUT + "_W");
        float bias = graph.getParam(NeuMF.OUTPUT + "_b").getFloat(0);
        for (int from = 0; from < n; from += PREDICT_CHUNK) {
            int m = Math.min(PREDICT_CHUNK, n - from);
            INDArray joined = graph.feedForward(new INDArray[] {NeuMF.column(users, from, m),
                    NeuMF.column(items, from, m)}, false).get(NeuMF.JOINED);
            float[] z = joined.mmul(w).addi(bias).dup().data().asFloat();
            System.arraycopy(z, 0, out, from, m);
        }
    }

    @Override
    public long step() {
        return graph.getConfiguration().getIterationCount();
    }

    @Override
    public ComputationGraph toGraph() {
        return graph;
    }

    @Override
    public void close() {
    }
}
