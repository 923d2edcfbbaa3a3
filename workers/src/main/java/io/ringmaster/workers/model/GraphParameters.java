package io.ringmaster.workers.model;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Moves NeuMF parameters and Adam state between a DL4J {@link ComputationGraph} built by
 * {@link NeuMF} and Ringmaster's flat row-major buffer ({@link NeuMFLayout}). DL4J keeps one flat
 * parameter array whose matrices are column-major views; this class derives the element permutation
 * from those views (offsets and strides), so it follows the graph rather than assuming its layout.
 */
public final class GraphParameters {

    private final NeuMFLayout layout;
    /** {@code graphIndex[i]}: position in DL4J's flat parameter array of internal parameter {@code i}. */
    private final int[] graphIndex;

    private GraphParameters(NeuMFLayout layout, int[] graphIndex) {
        this.layout = layout;
        this.graphIndex = graphIndex;
    }

    /** The mapping for graphs built from {@code layout.spec()}. */
    public static GraphParameters of(NeuMFLayout layout, ComputationGraph graph) {
        NeuMFSpec spec = layout.spec();
        int n = layout.size();
        if (graph.numParams() != n) {
            throw new IllegalArgumentException("graph has " + graph.numParams() + " parameters but " + spec + " has " + n);
        }
        INDArray flat = graph.params();
        long base = flat.offset();
        int[] index = new int[n];
        java.util.Arrays.fill(index, -1);
        List<Object[]> entries = new ArrayList<>();
        entries.add(new Object[] {NeuMF.GMF_USER + "_W", layout.gmfUser(), spec.numUsers(), spec.factors()});
        entries.add(new Object[] {NeuMF.GMF_ITEM + "_W", layout.gmfItem(), spec.numItems(), spec.factors()});
        entries.add(new Object[] {NeuMF.MLP_USER + "_W", layout.mlpUser(), spec.numUsers(), spec.mlpEmbedding()});
        entries.add(new Object[] {NeuMF.MLP_ITEM + "_W", layout.mlpItem(), spec.numItems(), spec.mlpEmbedding()});
        int[] widths = spec.mlpLayers();
        for (int l = 0; l < layout.denseLayers(); l++) {
            entries.add(new Object[] {NeuMF.mlpLayer(l) + "_W", layout.denseW(l), widths[l], widths[l + 1]});
            entries.add(new Object[] {NeuMF.mlpLayer(l) + "_b", layout.denseB(l), 1, widths[l + 1]});
        }
        entries.add(new Object[] {NeuMF.OUTPUT + "_W", layout.outW(), spec.factors() + spec.mlpOut(), 1});
        entries.add(new Object[] {NeuMF.OUTPUT + "_b", layout.outB(), 1, 1});
        boolean[] taken = new boolean[n];
        for (Object[] e : entries) {
            String name = (String) e[0];
            int offset = (Integer) e[1];
            int rows = (Integer) e[2];
            int cols = (Integer) e[3];
            INDArray view = graph.getParam(name);
            // biases are rank-1 views in DL4J: treat them as one row
            boolean vector = view != null && view.rank() == 1 && rows == 1 && view.size(0) == cols;
            boolean matrix = view != null && view.rank() == 2 && view.size(0) == rows && view.size(1) == cols;
            if (!vector && !matrix) {
                throw new IllegalArgumentException("graph parameter " + name + " is "
                        + (view == null ? "missing" : java.util.Arrays.toString(view.shape())) + ", expected ["
                        + rows + ", " + cols + "]");
            }
            long o = view.offset() - base;
            long s0 = vector ? 0 : view.stride(0);
            long s1 = vector ? view.stride(0) : view.stride(1);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    long g = o + i * s0 + j * s1;
                    if (g < 0 || g >= n || taken[(int) g]) {
                        throw new IllegalStateException("parameter " + name + " does not map one-to-one onto the graph");
                    }
                    taken[(int) g] = true;
                    index[offset + i * cols + j] = (int) g;
                }
            }
        }
        return new GraphParameters(layout, index);
    }

    public NeuMFLayout layout() {
        return layout;
    }

    /** DL4J-ordered flat array → internal order. */
    public float[] toInternal(float[] graphOrder) {
        float[] out = new float[graphIndex.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = graphOrder[graphIndex[i]];
        }
        return out;
    }

    /** Internal order → DL4J-ordered flat array. */
    public float[] toGraphOrder(float[] internal) {
        float[] out = new float[graphIndex.length];
        for (int i = 0; i < out.length; i++) {
            out[graphIndex[i]] = internal[i];
        }
        return out;
    }

    /** The graph's parameters in internal order. */
    public float[] readParams(ComputationGraph graph) {
        return toInternal(graph.params().dup().data().asFloat());
    }

    /** The graph's current gradient (after {@code computeGradientAndScore}) in internal order. */
    public float[] readGradient(ComputationGraph graph) {
        return toInternal(graph.gradient().gradient().dup().data().asFloat());
    }

    /** Overwrites the graph's parameters. */
    public void writeParams(ComputationGraph graph, float[] internal) {
        graph.params().assign(Nd4j.createFromArray(toGraphOrder(internal)).reshape(graph.params().shape()));
    }

    /**
     * Overwrites the graph's Adam state (first and second moments) and iteration count so that DL4J
     * continues training exactly where the flat-buffer optimiser stopped.
     */
    public void writeOptimizerState(ComputationGraph graph, AdamOptimizer adam) {
        float[] m = toGraphOrder(adam.m());
        float[] v = toGraphOrder(adam.v());
        INDArray state = graph.getUpdater().getStateViewArray();
        float[] out = new float[(int) state.length()];
        for (UpdaterBlock block : adamBlocks(graph)) {
            int ps = block.getParamOffsetStart();
            int len = block.getParamOffsetEnd() - ps;
            int us = block.getUpdaterViewOffsetStart();
            System.arraycopy(m, ps, out, us, len);
            System.arraycopy(v, ps, out, us + len, len);
        }
        state.assign(Nd4j.createFromArray(out).reshape(state.shape()));
        if (adam.step() > Integer.MAX_VALUE) {
            throw new IllegalStateException("step " + adam.step() + " exceeds DL4J's iteration counter");
        }
        graph.getConfiguration().setIterationCount((int) adam.step());
    }

    /** Reads the graph's Adam state and iteration count into {@code adam}. */
    public void readOptimizerState(ComputationGraph graph, AdamOptimizer adam) {
        float[] state = graph.getUpdater().getStateViewArray().dup().data().asFloat();
        float[] m = new float[graphIndex.length];
        float[] v = new float[graphIndex.length];
        for (UpdaterBlock block : adamBlocks(graph)) {
            int ps = block.getParamOffsetStart();
            int len = block.getParamOffsetEnd() - ps;
            int us = block.getUpdaterViewOffsetStart();
            System.arraycopy(state, us, m, ps, len);
            System.arraycopy(state, us + len, v, ps, len);
        }
        System.arraycopy(toInternal(m), 0, adam.m(), 0, m.length);
        System.arraycopy(toInternal(v), 0, adam.v(), 0, v.length);
        adam.setStep(graph.getConfiguration().getIterationCount());
    }

    private static List<UpdaterBlock> adamBlocks(ComputationGraph graph) {
        List<UpdaterBlock> blocks = graph.getUpdater().getUpdaterBlocks();
        int covered = 0;
        for (UpdaterBlock b : blocks) {
            UpdaterBlock.ParamState first = b.getLayersAndVariablesInBlock().get(0);
            Trainable layer = first.getLayer();
            IUpdater u = layer.getConfig().getUpdaterByParam(first.getParamName());
            if (!(u instanceof Adam)) {
                throw new IllegalStateException("expected an Adam updater, found " + u);
            }
            int len = b.getParamOffsetEnd() - b.getParamOffsetStart();
            if (b.getUpdaterViewOffsetEnd() - b.getUpdaterViewOffsetStart() != 2 * len) {
                throw new IllegalStateException("unexpected Adam state size in updater block");
            }
            covered += len;
        }
        if (covered != graph.numParams()) {
            throw new IllegalStateException("updater blocks cover " + covered + " of " + graph.numParams()
                    + " parameters");
        }
        return blocks;
    }
}
