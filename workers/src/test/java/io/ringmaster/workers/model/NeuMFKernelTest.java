package io.ringmaster.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.workers.gradient.Gradient;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/** The fused kernel computes what DL4J's own NeuMF graph computes. */
class NeuMFKernelTest {

    static final NeuMFSpec SPEC = new NeuMFSpec(37, 53, 4, new int[] {16, 8, 4}, 1e-2, 11);

    static int[][] batch(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] u = new int[n];
        int[] it = new int[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            u[i] = r.nextInt(SPEC.numUsers());
            it[i] = r.nextInt(SPEC.numItems());
            y[i] = r.nextInt(3) == 0 ? 1 : 0;
        }
        return new int[][] {u, it, y};
    }

    static float[] labels(int[] y) {
        float[] f = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            f[i] = y[i];
        }
        return f;
    }

    /** Larger weights than the default init so ReLUs are active and gradients are not tiny. */
    static ComputationGraph perturbedGraph(GraphParameters[] mappingOut) {
        ComputationGraph g = NeuMF.build(SPEC);
        GraphParameters mapping = GraphParameters.of(new NeuMFLayout(SPEC), g);
        float[] p = mapping.readParams(g);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (r.nextDouble() - 0.5) * 0.6f;
        }
        mapping.writeParams(g, p);
        mappingOut[0] = mapping;
        return g;
    }

    @Test
    void gradientMatchesDl4jComputeGradientAndScore() {
        GraphParameters[] m = new GraphParameters[1];
        ComputationGraph g = perturbedGraph(m);
        int[][] b = batch(64, 5);
        g.setInputs(NeuMF.column(b[0], 0, b[0].length), NeuMF.column(b[1], 0, b[1].length));
        g.setLabels(NeuMF.column(b[2], 0, b[2].length));
        g.computeGradientAndScore();
        float[] expected = m[0].readGradient(g);
        double expectedLoss = g.score();

        float[] params = m[0].readParams(g);
        float[] grad;
        try (NeuMFKernel k = new NeuMFKernel(new NeuMFLayout(SPEC))) {
            Gradient sparse = new Gradient(new NeuMFLayout(SPEC).gradientLayout());
            double loss = k.gradient(params, b[0], b[1], labels(b[2]), 0, 64, sparse);
            assertEquals(expectedLoss, loss, 1e-5, "mean binary cross-entropy");
            grad = sparse.toFlat();
            java.util.Set<Integer> users = new java.util.HashSet<>();
            for (int u : b[0]) {
                users.add(u);
            }
            assertEquals(users.size(), sparse.table(0).count(), "user rows: the distinct users of the batch");
            java.util.Set<Integer> items = new java.util.HashSet<>();
            for (int i : b[1]) {
                items.add(i);
            }
            assertEquals(items.size(), sparse.table(1).count(), "item rows: the distinct items of the batch");
        }
        int nonZero = 0;
        for (float g1 : grad) {
            nonZero += g1 != 0 ? 1 : 0;
        }
        assertTrue(nonZero > 500, "gradient should touch many parameters, touched " + nonZero);
        assertMatchesDl4jGradient(expected, 64, grad, 1e-5);
    }

    /** DL4J's gradient is summed over the batch, the kernel's is the mean: compare within {@code tol}. */
    static void assertMatchesDl4jGradient(float[] dl4jSum, int batch, float[] mean, double tol) {
        double maxAbs = 0;
        double maxErr = 0;
        for (int i = 0; i < mean.length; i++) {
            double e = dl4jSum[i] / (double) batch;
            maxAbs = Math.max(maxAbs, Math.abs(e));
            maxErr = Math.max(maxErr, Math.abs(e - mean[i]));
        }
        assertTrue(maxErr <= tol * Math.max(1, maxAbs), "max |fused - dl4j| = " + maxErr + " (max |g| " + maxAbs + ")");
    }

    @Test
    void saturatedOutputsAndSoftLabelsMatchDl4jToo() {
        ComputationGraph g = NeuMF.build(SPEC);
        GraphParameters m = GraphParameters.of(new NeuMFLayout(SPEC), g);
        float[] p = m.readParams(g);
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextDouble() - 0.3) * 6f; // large weights: many probabilities clip at 1e-5 / 1-1e-5
        }
        m.writeParams(g, p);
        int[][] b = batch(64, 6);
        float[] soft = new float[64];
        for (int i = 0; i < 64; i++) {
            soft[i] = i % 3 == 0 ? 0.3f : b[2][i];
        }
        g.setInputs(NeuMF.column(b[0], 0, 64), NeuMF.column(b[1], 0, 64));
        g.setLabels(NeuMF.column(soft, 0, 64));
        g.computeGradientAndScore();
        float[] expected = m.readGradient(g);
        float[] probs = g.output(false, NeuMF.column(b[0], 0, 64), NeuMF.column(b[1], 0, 64))[0].dup().data().asFloat();
        int clipped = 0;
        for (float q : probs) {
            clipped += q < NeuMFKernel.CLIP_EPS || q > 1 - NeuMFKernel.CLIP_EPS ? 1 : 0;
        }
        assertTrue(clipped > 5, "the test needs clipped probabilities, got " + clipped);
        float[] grad;
        try (NeuMFKernel k = new NeuMFKernel(new NeuMFLayout(SPEC))) {
            Gradient sparse = new Gradient(new NeuMFLayout(SPEC).gradientLayout());
            double loss = k.gradient(p, b[0], b[1], soft, 0, 64, sparse);
            assertEquals(g.score(), loss, 1e-4 * Math.max(1, g.score()));
            grad = sparse.toFlat();
        }
        assertMatchesDl4jGradient(expected, 64, grad, 1e-4);
    }

    @Test
    void indicesOutsideTheModelAreRejected() {
        float[] params = new float[new NeuMFLayout(SPEC).size()];
        Gradient grad = new Gradient(new NeuMFLayout(SPEC).gradientLayout());
        try (NeuMFKernel k = new NeuMFKernel(new NeuMFLayout(SPEC))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> k.gradient(params, new int[] {0, SPEC.numUsers()}, new int[] {0, 0}, new float[2], 0, 2,
                            grad));
            assertTrue(e.getMessage().contains("example 1: user " + SPEC.numUsers()), e.getMessage());
        }
    }

    @Test
    void predictionsMatchDl4jOutput() {
        GraphParameters[] m = new GraphParameters[1];
        ComputationGraph g = perturbedGraph(m);
        int[][] b = batch(300, 9);
        float[] expected = g.output(false, NeuMF.column(b[0], 0, b[0].length), NeuMF.column(b[1], 0,
                b[1].length))[0].dup().data().asFloat();
        float[] out = new float[300];
        try (NeuMFKernel k = new NeuMFKernel(new NeuMFLayout(SPEC))) {
            k.predict(m[0].readParams(g), b[0], b[1], 300, out);
        }
        for (int i = 0; i < 300; i++) {
            assertEquals(expected[i], out[i], 2e-6, "prediction " + i);
        }
    }

    @Test
    void sameInputsGiveBitIdenticalGradients() {
        GraphParameters[] m = new GraphParameters[1];
        ComputationGraph g = perturbedGraph(m);
        float[] params = m[0].readParams(g);
        int[][] b = batch(128, 2);
        Gradient g1 = new Gradient(new NeuMFLayout(SPEC).gradientLayout());
        Gradient g2 = new Gradient(new NeuMFLayout(SPEC).gradientLayout());
        try (NeuMFKernel a = new NeuMFKernel(new NeuMFLayout(SPEC));
             NeuMFKernel c = new NeuMFKernel(new NeuMFLayout(SPEC))) {
            a.gradient(params, b[0], b[1], labels(b[2]), 0, 128, g1);
            a.gradient(params, b[0], b[1], labels(b[2]), 0, 128, g1);
            c.gradient(params, b[0], b[1], labels(b[2]), 0, 128, g2);
        }
        assertTrue(java.util.Arrays.equals(g1.toFlat(), g2.toFlat()));
        for (int t = 0; t < 2; t++) {
            assertArrayEquals(java.util.Arrays.copyOf(g1.table(t).ids(), g1.table(t).count()),
                    java.util.Arrays.copyOf(g2.table(t).ids(), g2.table(t).count()), "same rows in the same order");
        }
    }
}
