package io.ringmaster.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

class GraphParametersTest {

    @Test
    void parametersAndAdamStateRoundTripThroughTheGraph() {
        NeuMFSpec spec = NeuMFKernelTest.SPEC;
        NeuMFLayout layout = new NeuMFLayout(spec);
        ComputationGraph g = NeuMF.build(spec);
        GraphParameters m = GraphParameters.of(layout, g);
        assertEquals(g.numParams(), layout.size());
        float[] p = new float[layout.size()];
        AdamOptimizer adam = new AdamOptimizer(layout.size(), spec.learningRate(), EmbeddingOptimizer.ADAM);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextDouble();
            adam.m()[i] = (float) r.nextDouble();
            adam.v()[i] = (float) r.nextDouble();
        }
        adam.setStep(17);
        m.writeParams(g, p);
        m.writeOptimizerState(g, adam);
        assertArrayEquals(p, m.readParams(g));
        AdamOptimizer back = new AdamOptimizer(layout.size(), spec.learningRate(), EmbeddingOptimizer.LAZY_ADAM);
        m.readOptimizerState(g, back);
        assertArrayEquals(adam.m(), back.m());
        assertArrayEquals(adam.v(), back.v());
        assertEquals(17, back.step());
        assertEquals(17, g.getConfiguration().getIterationCount());
    }

    @Test
    void embeddingRowsLandInTheGraphsEmbeddingMatrix() {
        NeuMFSpec spec = NeuMFKernelTest.SPEC;
        NeuMFLayout layout = new NeuMFLayout(spec);
        ComputationGraph g = NeuMF.build(spec);
        GraphParameters m = GraphParameters.of(layout, g);
        float[] p = m.readParams(g);
        int user = 5;
        for (int k = 0; k < spec.factors(); k++) {
            p[layout.user(user) + layout.gmf() + k] = 100 + k;
        }
        m.writeParams(g, p);
        for (int k = 0; k < spec.factors(); k++) {
            assertEquals(100 + k, g.getParam(NeuMF.GMF_USER + "_W").getFloat(user, k));
            assertEquals(p[layout.user(user) + layout.mlp() + k], g.getParam(NeuMF.MLP_USER + "_W").getFloat(user, k),
                    "the MLP vector follows the GMF vector in the user's row");
        }
    }
}
