package io.ringmaster.workers.train;

import io.ringmaster.workers.model.FusedEngine;
import io.ringmaster.workers.model.Dl4jEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.workers.model.GraphParameters;
import io.ringmaster.workers.model.NeuMFLayout;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused engine (kernel + Adam) follows DL4J's own engine (graph + DL4J updater) step for step,
 * and a fused model handed to DL4J mid-training continues exactly where it stopped.
 */
class EngineEquivalenceTest {

    static final NeuMFSpec SPEC = new NeuMFSpec(41, 67, 8, new int[] {16, 8, 4}, 5e-3, 21);

    static EpochSamples samples(int n) {
        SplittableRandom r = new SplittableRandom(4);
        int[] u = new int[n];
        int[] it = new int[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            u[i] = r.nextInt(SPEC.numUsers());
            it[i] = r.nextInt(SPEC.numItems());
            y[i] = (u[i] + it[i]) % 3 == 0 ? 1f : 0f;
        }
        return new EpochSamples(u, it, y);
    }

    private static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void fusedAndDl4jEnginesFollowTheSameTrajectory() {
        EpochSamples s = samples(32 * 20);
        try (FusedEngine fused = new FusedEngine(SPEC,
                EmbeddingOptimizer.ADAM); Dl4jEngine dl4j = new Dl4jEngine(SPEC)) {
            GraphParameters m = GraphParameters.of(new NeuMFLayout(SPEC), dl4j.toGraph());
            assertEquals(0f, maxDiff(fused.parameters(), m.readParams(dl4j.toGraph())), "same initialisation");
            float[] start = fused.parameters().clone();
            for (int from = 0; from < s.size(); from += 32) {
                double lf = fused.computeGradient(s.examples(), from, 32);
                double ld = dl4j.computeGradient(s.examples(), from, 32);
                assertEquals(ld, lf, 1e-4, "loss at step " + from / 32);
                fused.applyUpdate();
                dl4j.applyUpdate();
            }
            assertEquals(20, fused.step());
            assertEquals(20, dl4j.step());
            float moved = maxDiff(start, fused.parameters());
            float apart = maxDiff(fused.parameters(), m.readParams(dl4j.toGraph()));
            assertTrue(moved > 20 * 1e-3f, "parameters should move, moved " + moved);
            assertTrue(apart < 2e-4f, "engines drifted apart by " + apart + " (moved " + moved + ")");
        }
    }

    @Test
    void rankingScoresAreLogitsThatDoNotSaturate() {
        EpochSamples s = samples(64);
        try (FusedEngine fused = new FusedEngine(SPEC, EmbeddingOptimizer.ADAM)) {
            float[] p = fused.parameters();
            for (int i = 0; i < p.length; i++) {
                p[i] *= 400f; // confident enough for probabilities to round to exactly 1
            }
            Dl4jEngine dl4j = new Dl4jEngine(fused.toGraph());
            float[] prob = new float[64];
            float[] fusedScores = new float[64];
            float[] dl4jScores = new float[64];
            fused.predict(s.users(), s.items(), 64, prob);
            fused.scores(s.users(), s.items(), 64, fusedScores);
            dl4j.scores(s.users(), s.items(), 64, dl4jScores);
            int saturated = 0;
            java.util.Set<Float> distinct = new java.util.HashSet<>();
            for (int i = 0; i < 64; i++) {
                if (prob[i] == 1f) {
                    saturated++;
                    distinct.add(fusedScores[i]);
                }
                assertEquals(fusedScores[i], dl4jScores[i], 1e-4 * Math.max(1, Math.abs(fusedScores[i])), "logit " + i);
            }
            assertTrue(saturated > 3, "test needs saturated probabilities, got " + saturated);
            assertTrue(distinct.size() > saturated / 2, saturated + " saturated probabilities but only "
                    + distinct.size() + " distinct scores");
        }
    }

    @Test
    void exportedFusedStateContinuesInDl4j() {
        EpochSamples s = samples(32 * 10);
        try (FusedEngine fused = new FusedEngine(SPEC, EmbeddingOptimizer.ADAM)) {
            for (int from = 0; from < 32 * 5; from += 32) {
                fused.computeGradient(s.examples(), from, 32);
                fused.applyUpdate();
            }
            Dl4jEngine dl4j = new Dl4jEngine(fused.toGraph());
            GraphParameters m = GraphParameters.of(new NeuMFLayout(SPEC), dl4j.toGraph());
            for (int from = 32 * 5; from < s.size(); from += 32) {
                fused.computeGradient(s.examples(), from, 32);
                fused.applyUpdate();
                dl4j.computeGradient(s.examples(), from, 32);
                dl4j.applyUpdate();
            }
            assertEquals(10, dl4j.step());
            float apart = maxDiff(fused.parameters(), m.readParams(dl4j.toGraph()));
            assertTrue(apart < 1e-4f, "continued training drifted by " + apart);
        }
    }
}
