package io.ringmaster.workers.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Moves NeuMF parameters and Adam state between a DL4J {@link ComputationGraph} built by
 * {@link NeuMF} and Ringmaster's flat row-major buffer ({@link NeuMFLayout}). DL4J keeps one flat
 * parameter array whose matrices are column-major views; this class reads each parameter's place in
 * it from the view (offset and strides), so it follows the graph rather than assuming its layout, and
 * moves one parameter at a time, so a catalogue-sized model needs no second copy of itself in memory.
 */
public final class GraphParameters {

    /**
     * One graph parameter: where it lives in the flat graph array (with its strides there) and in the
     * internal buffer (rows {@code stride} apart).
     */
    private record Block(String name, int internal, int stride, int rows, int cols, long graph, long rowStride,
                         long colStride) {

        int length() {
            return rows * cols;
        }

        /** The block's values in internal (row-major) order from its graph-order segment. */
        void toInternal(float[] segment, float[] out) {
            for (int i = 0; i < rows; i++) {
                int to = internal + i * stride;
                for (int j = 0; j < cols; j++) {
                    out[to + j] = segment[(int) (i * rowStride + j * colStride)];
                }
            }
        }

        /** The block's graph-order segment from internal order. */
        float[] toGraph(float[] in) {
            float[] segment = new float[length()];
            for (int i = 0; i < rows; i++) {
                int from = internal + i * stride;
                for (int j = 0; j < cols; j++) {
                    segment[(int) (i * rowStride + j * colStride)] = in[from + j];
                }
            }
            return segment;
        }
    }

    private final NeuMFLayout layout;
    private final List<Block> blocks;

    private GraphParameters(NeuMFLayout layout, List<Block> blocks) {
        this.layout = layout;
        this.blocks = blocks;
    }

    /** The mapping for graphs built from {@code layout.spec()}. */
    public static GraphParameters of(NeuMFLayout layout, ComputationGraph graph) {
        NeuMFSpec spec = layout.spec();
        int n = layout.size();
        if (graph.numParams() != n) {
            throw new IllegalArgumentException("graph has " + graph.numParams() + " parameters but " + spec + " has "
                    + n);
        }
        INDArray flat = graph.params();
        long base = flat.offset();
        List<Object[]> entries = new ArrayList<>();
        int w = layout.rowWidth();
        entries.add(new Object[] {NeuMF.GMF_USER + "_W", layout.user(0) + layout.gmf(), w, spec.numUsers(),
                spec.factors()});
        entries.add(new Object[] {NeuMF.GMF_ITEM + "_W", layout.item(0) + layout.gmf(), w, spec.numItems(),
                spec.factors()});
        entries.add(new Object[] {NeuMF.MLP_USER + "_W", layout.user(0) + layout.mlp(), w, spec.numUsers(),
                spec.mlpEmbedding()});
        entries.add(new Object[] {NeuMF.MLP_ITEM + "_W", layout.item(0) + layout.mlp(), w, spec.numItems(),
                spec.mlpEmbedding()});
        int[] widths = spec.mlpLayers();
        for (int l = 0; l < layout.denseLayers(); l++) {
            entries.add(new Object[] {NeuMF.mlpLayer(l) + "_W", layout.denseW(l), widths[l + 1], widths[l],
                    widths[l + 1]});
            entries.add(new Object[] {NeuMF.mlpLayer(l) + "_b", layout.denseB(l), widths[l + 1], 1, widths[l + 1]});
        }
        entries.add(new Object[] {NeuMF.OUTPUT + "_W", layout.outW(), 1, spec.factors() + spec.mlpOut(), 1});
        entries.add(new Object[] {NeuMF.OUTPUT + "_b", layout.outB(), 1, 1, 1});
        List<Block> blocks = new ArrayList<>();
        for (Object[] e : entries) {
            String name = (String) e[0];
            int offset = (Integer) e[1];
            int stride = (Integer) e[2];
            int rows = (Integer) e[3];
            int cols = (Integer) e[4];
            INDArray view = graph.getParam(name);
            // biases are rank-1 views in DL4J: treat them as one row
            boolean vector = view != null && view.rank() == 1 && rows == 1 && view.size(0) == cols;
            boolean matrix = view != null && view.rank() == 2 && view.size(0) == rows && view.size(1) == cols;
            if (!vector && !matrix) {
                throw new IllegalArgumentException("graph parameter " + name + " is "
                        + (view == null ? "missing" : java.util.Arrays.toString(view.shape())) + ", expected ["
                        + rows + ", " + cols + "]");
            }
            long s0 = vector ? cols : view.stride(0);
            long s1 = vector ? view.stride(0) : view.stride(1);
            // a dense block of its own, row- or column-major: then the view is a permutation of its segment
            boolean rowMajor = (s0 == cols || rows == 1) && (s1 == 1 || cols == 1);
            boolean colMajor = (s0 == 1 || rows == 1) && (s1 == rows || cols == 1);
            if (!rowMajor && !colMajor) {
                throw new IllegalStateException("parameter " + name + " has strides [" + s0 + ", " + s1
                        + "] for shape ["
                        + rows + ", " + cols + "]: not one contiguous block of the graph's parameters");
            }
            blocks.add(new Block(name, offset, stride, rows, cols, view.offset() - base, rows == 1 ? 0 : s0,
                    cols == 1 ? 0 : s1));
        }
        // the blocks must tile the flat array exactly
        List<Block> byGraph = new ArrayList<>(blocks);
        byGraph.sort(Comparator.comparingLong(Block::graph));
        long at = 0;
        for (Block b : byGraph) {
            if (b.graph() != at) {
                throw new IllegalStateException("parameter " + b.name() + " starts at " + b.graph() + " of the graph's"
                        + " flat parameters, expected " + at + ": the parameters do not map one-to-one onto the graph");
            }
            at += b.length();
        }
        if (at != n) {
            throw new IllegalStateException("the graph's parameters cover " + at + " of " + n + " values");
        }
        return new GraphParameters(layout, List.copyOf(blocks));
    }

    public NeuMFLayout layout() {
        return layout;
    }

    /** DL4J-ordered flat array → internal order. */
    public float[] toInternal(float[] graphOrder) {
        float[] out = new float[layout.size()];
        for (Block b : blocks) {
            float[] segment = java.util.Arrays.copyOfRange(graphOrder, (int) b.graph(), (int) b.graph() + b.length());
            b.toInternal(segment, out);
        }
        return out;
    }

    /** Internal order → DL4J-ordered flat array. */
    public float[] toGraphOrder(float[] internal) {
        float[] out = new float[layout.size()];
        for (Block b : blocks) {
            System.arraycopy(b.toGraph(internal), 0, out, (int) b.graph(), b.length());
        }
        return out;
    }

    /** The graph's parameters in internal order. */
    public float[] readParams(ComputationGraph graph) {
        return read(graph.params());
    }

    /** The graph's current gradient (after {@code computeGradientAndScore}) in internal order. */
    public float[] readGradient(ComputationGraph graph) {
        return read(graph.gradient().gradient());
    }

    /** Overwrites the graph's parameters. */
    public void writeParams(ComputationGraph graph, float[] internal) {
        INDArray flat = graph.params();
        for (Block b : blocks) {
            write(flat, b.graph(), b.toGraph(internal));
        }
    }

    /** {@code flat}'s values, block by block, in internal order. */
    private float[] read(INDArray flat) {
        float[] out = new float[layout.size()];
        for (Block b : blocks) {
            b.toInternal(flat.data().getFloatsAt(flat.offset() + b.graph(), b.length()), out);
        }
        return out;
    }

    private static void write(INDArray flat, long at, float[] segment) {
        INDArray row = flat.rank() == 2 ? flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(at, at
                + segment.length))
                : flat.get(NDArrayIndex.interval(at, at + segment.length));
        row.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(segment).reshape(row.shape()));
    }

    /**
     * Overwrites the graph's Adam state (first and second moments) and iteration count so that DL4J
     * continues training exactly where the flat-buffer optimiser stopped.
     */
    public void writeOptimizerState(ComputationGraph graph, AdamOptimizer adam) {
        INDArray state = graph.getUpdater().getStateViewArray();
        for (UpdaterBlock block : adamBlocks(graph)) {
            long ps = block.getParamOffsetStart();
            long len = block.getParamOffsetEnd() - ps;
            long us = block.getUpdaterViewOffsetStart();
            for (Block b : blocks) {
                if (b.graph() >= ps && b.graph() < ps + len) {
                    write(state, us + (b.graph() - ps), b.toGraph(adam.m()));
                    write(state, us + len + (b.graph() - ps), b.toGraph(adam.v()));
                }
            }
        }
        if (adam.step() > Integer.MAX_VALUE) {
            throw new IllegalStateException("step " + adam.step() + " exceeds DL4J's iteration counter");
        }
        graph.getConfiguration().setIterationCount((int) adam.step());
    }

    /** Reads the graph's Adam state and iteration count into {@code adam}. */
    public void readOptimizerState(ComputationGraph graph, AdamOptimizer adam) {
        INDArray state = graph.getUpdater().getStateViewArray();
        for (UpdaterBlock block : adamBlocks(graph)) {
            long ps = block.getParamOffsetStart();
            long len = block.getParamOffsetEnd() - ps;
            long us = block.getUpdaterViewOffsetStart();
            for (Block b : blocks) {
                if (b.graph() >= ps && b.graph() < ps + len) {
                    long m = state.offset() + us + (b.graph() - ps);
                    b.toInternal(state.data().getFloatsAt(m, b.length()), adam.m());
                    b.toInternal(state.data().getFloatsAt(m + len, b.length()), adam.v());
                }
            }
        }
        adam.setStep(graph.getConfiguration().getIterationCount());
    }

    private List<UpdaterBlock> adamBlocks(ComputationGraph graph) {
        List<UpdaterBlock> updaterBlocks = graph.getUpdater().getUpdaterBlocks();
        int covered = 0;
        for (UpdaterBlock b : updaterBlocks) {
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
            for (Block p : blocks) {
                boolean starts = p.graph() >= b.getParamOffsetStart() && p.graph() < b.getParamOffsetEnd();
                if (starts && p.graph() + p.length() > b.getParamOffsetEnd()) {
                    throw new IllegalStateException("parameter " + p.name() + " straddles two updater blocks");
                }
            }
            covered += len;
        }
        if (covered != graph.numParams()) {
            throw new IllegalStateException("updater blocks cover " + covered + " of " + graph.numParams()
                    + " parameters");
        }
        return updaterBlocks;
    }
}
