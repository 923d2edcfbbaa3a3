package io.ringmaster.workers.model;

import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.train.Examples;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The default engine: NeuMF's forward/backward in {@link NeuMFKernel} and Adam in
 * {@link AdamOptimizer}, over one flat parameter buffer, starting from the exact initial parameters of
 * the DL4J graph and exporting back into it. Its gradient keeps the embedding tables' touched rows
 * apart from the dense block, so neither the gradient nor (with lazy Adam) the update costs the
 * catalogue.
 */
public final class FusedEngine implements GraphEngine {

    private final NeuMFSpec spec;
    private final GraphParameters mapping;
    private final NeuMFKernel kernel;
    private final AdamOptimizer adam;
    private final float[] params;
    private final Gradient grad;
    private ComputationGraph graph;

    /** A fresh network: the DL4J graph's initial parameters, zero Adam state. */
    public FusedEngine(NeuMFSpec spec, EmbeddingOptimizer embeddings) {
        this(NeuMF.build(spec), spec, embeddings, false);
    }

    /**
     * Continues from {@code graph}'s parameters and Adam state. The graph is not kept (at catalogue
     * sizes it holds as much memory again as the engine): {@link #toGraph()} builds a fresh one.
     */
    public FusedEngine(ComputationGraph graph, NeuMFSpec spec, EmbeddingOptimizer embeddings) {
        this(graph, spec, embeddings, true);
    }

    private FusedEngine(ComputationGraph graph, NeuMFSpec spec, EmbeddingOptimizer embeddings, boolean restore) {
        NeuMFLayout layout = new NeuMFLayout(spec);
        this.spec = spec;
        this.mapping = GraphParameters.of(layout, graph);
        this.kernel = new NeuMFKernel(layout);
        this.adam = new AdamOptimizer(layout.size(), spec.learningRate(), embeddings);
        this.params = mapping.readParams(graph);
        if (restore) {
            mapping.readOptimizerState(graph, adam);
        } else {
            // our own throw-away graph: free its off-heap parameters now rather than at some later GC (at a
            // million-entity catalogue they are hundreds of MB); its updater state was never allocated
            graph.params().close();
        }
        this.grad = new Gradient(layout.gradientLayout());
    }

    @Override
    public String name() {
        return "fused";
    }

    @Override
    public double computeGradient(Examples batch, int from, int n) {
        int[] users = batch.column(Examples.USER);
        int[] items = batch.column(Examples.ITEM);
        float[] labels = batch.labels();
        return kernel.gradient(params, users, items, labels, from, n, grad);
    }

    @Override
    public Gradient gradient() {
        return grad;
    }

    @Override
    public void applyUpdate() {
        adam.apply(params, grad);
    }

    /** Predicted probabilities for {@code n} (user, item) pairs. */
    public void predict(int[] users, int[] items, int n, float[] out) {
        kernel.predict(params, users, items, n, out);
    }

    @Override
    public void scores(int[] users, int[] items, int n, float[] out) {
        kernel.logits(params, users, items, n, out);
    }

    @Override
    public long step() {
        return adam.step();
    }

    /** The live parameter buffer (internal layout). */
    public float[] parameters() {
        return params;
    }

    /**
     * A DL4J graph holding the current parameters, Adam state and step: built at the first call (a
     * checkpoint, an export) and refilled at the next, so checkpoints do not each build a model-sized
     * graph. It is the engine's: valid until the next call.
     */
    @Override
    public ComputationGraph toGraph() {
        if (graph == null) {
            graph = NeuMF.build(spec);
        }
        mapping.writeParams(graph, params);
        mapping.writeOptimizerState(graph, adam);
        return graph;
    }

    @Override
    public void close() {
        kernel.close();
    }
}
