package io.ringmaster.workers.train;

import io.ringmaster.workers.model.AdamOptimizer;
import io.ringmaster.workers.model.GraphParameters;
import io.ringmaster.workers.model.NeuMF;
import io.ringmaster.workers.model.NeuMFKernel;
import io.ringmaster.workers.model.NeuMFLayout;
import io.ringmaster.workers.model.NeuMFSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The default engine: NeuMF's forward/backward in {@link NeuMFKernel} and Adam in
 * {@link AdamOptimizer}, over one flat parameter buffer, starting from the exact initial parameters of
 * the DL4J graph and exporting back into it.
 */
public final class FusedEngine implements TrainingEngine {

    private final ComputationGraph graph;
    private final GraphParameters mapping;
    private final NeuMFKernel kernel;
    private final AdamOptimizer adam;
    private final float[] params;
    private final float[] grad;

    public FusedEngine(NeuMFSpec spec) {
        this(NeuMF.build(spec), spec);
    }

    /** Continues from {@code graph}'s parameters and Adam state. */
    public FusedEngine(ComputationGraph graph, NeuMFSpec spec) {
        NeuMFLayout layout = new NeuMFLayout(spec);
        this.graph = graph;
        this.mapping = GraphParameters.of(layout, graph);
        this.kernel = new NeuMFKernel(layout);
        this.adam = new AdamOptimizer(layout.size(), spec.learningRate());
        this.params = mapping.readParams(graph);
        mapping.readOptimizerState(graph, adam);
        this.grad = new float[layout.size()];
    }

    @Override
    public String name() {
        return "fused";
    }

    @Override
    public double computeGradient(int[] users, int[] items, float[] labels, int from, int n) {
        return kernel.gradient(params, users, items, labels, from, n, grad);
    }

    @Override
    public float[] gradient() {
        return grad;
    }

    @Override
    public void applyUpdate() {
        adam.apply(params, grad);
    }

    @Override
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

    @Override
    public ComputationGraph toGraph() {
        mapping.writeParams(graph, params);
        mapping.writeOptimizerState(graph, adam);
        return graph;
    }

    @Override
    public void close() {
        kernel.close();
    }
}
