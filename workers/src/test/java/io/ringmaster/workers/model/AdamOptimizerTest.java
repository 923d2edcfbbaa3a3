package io.ringmaster.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.gradient.GradientLayout;
import io.ringmaster.workers.gradient.SparseRows;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Lazy Adam updates only what a step touched; dense Adam keeps the arithmetic of a dense gradient. */
class AdamOptimizerTest {

    static final EmbeddingTable USERS = new EmbeddingTable("users", 0, 50, 4);
    static final EmbeddingTable ITEMS = new EmbeddingTable("items", 200, 30, 8);
    static final GradientLayout LAYOUT = new GradientLayout(200 + 240 + 17, 440, 17, List.of(USERS, ITEMS));
    static final double LR = 0.01;

    /** A step's gradient touching {@code rows} random rows of each table (ids may repeat). */
    static Gradient step(SplittableRandom rnd, int rows) {
        Gradient g = new Gradient(LAYOUT);
        for (int i = 0; i < g.dense().length; i++) {
            g.dense()[i] = (float) rnd.nextGaussian();
        }
        for (SparseRows t : g.tables()) {
            for (int k = 0; k < rows; k++) {
                int at = t.add(rnd.nextInt(t.table().rows())) * t.width();
                for (int e = 0; e < t.width(); e++) {
                    t.values()[at + e] += (float) rnd.nextGaussian();
                }
            }
        }
        return g;
    }

    static float[] params(long seed) {
        float[] p = new float[LAYOUT.size()];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) rnd.nextGaussian();
        }
        return p;
    }

    /** The dense Adam loop Ringmaster ran before embedding gradients were sparse (and DL4J's arithmetic). */
    static void denseReference(float[] p, float[] m, float[] v, float[] g, long step) {
        double t = step + 1;
        float a = (float) (LR * Math.sqrt(1 - Math.pow(AdamOptimizer.BETA2, t)) / (1 - Math.pow(AdamOptimizer.BETA1,
                t)));
        float b1 = (float) AdamOptimizer.BETA1;
        float b2 = (float) AdamOptimizer.BETA2;
        float c1 = (float) (1 - AdamOptimizer.BETA1);
        float c2 = (float) (1 - AdamOptimizer.BETA2);
        float eps = (float) AdamOptimizer.EPSILON;
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            float mi = b1 * m[i] + gi * c1;
            float vi = b2 * v[i] + gi * gi * c2;
            m[i] = mi;
            v[i] = vi;
            p[i] -= mi * a / ((float) Math.sqrt(vi) + eps);
        }
    }

    @Test
    void adamKeepsTheArithmeticOfADenseGradientBitForBit() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] p = params(1);
        float[] ref = p.clone();
        float[] m = new float[p.length];
        float[] v = new float[p.length];
        AdamOptimizer adam = new AdamOptimizer(p.length, LR, EmbeddingOptimizer.ADAM);
        for (int s = 0; s < 25; s++) {
            Gradient g = step(rnd, 6);
            denseReference(ref, m, v, g.toFlat(), s);
            adam.apply(p, g);
        }
        assertArrayEquals(ref, p);
        assertArrayEquals(m, adam.m());
        assertArrayEquals(v, adam.v());
        assertEquals(25, adam.step());
    }

    @Test
    void lazyAdamLeavesUntouchedRowsAndTheirMomentsAlone() {
        SplittableRandom rnd = new SplittableRandom(4);
        float[] p = params(2);
        AdamOptimizer lazy = new AdamOptimizer(p.length, LR, EmbeddingOptimizer.LAZY_ADAM);
        lazy.apply(p, step(rnd, 5)); // some history
        float[] before = p.clone();
        float[] mBefore = lazy.m().clone();
        float[] vBefore = lazy.v().clone();
        Gradient g = step(rnd, 3);
        lazy.apply(p, g);
        for (EmbeddingTable t : LAYOUT.tables()) {
            SparseRows rows = g.tables()[LAYOUT.tables().indexOf(t)];
            for (int id = 0; id < t.rows(); id++) {
                for (int k = 0; k < t.width(); k++) {
                    int i = t.offset() + id * t.width() + k;
                    if (rows.slot(id) < 0) {
                        assertEquals(before[i], p[i], t.name() + " row " + id + " was not touched");
                        assertEquals(mBefore[i], lazy.m()[i]);
                        assertEquals(vBefore[i], lazy.v()[i]);
                    } else {
                        assertNotEquals(before[i], p[i], t.name() + " row " + id + " was touched");
                    }
                }
            }
        }
        for (int i = LAYOUT.denseOffset(); i < LAYOUT.size(); i++) {
            assertNotEquals(before[i], p[i], "the dense block moves every step");
        }
    }

    @Test
    void lazyAdamCorrectsBiasWithTheGlobalStep() {
        // a row first touched at step 40 moves as PyTorch's SparseAdam moves it: one Adam step from zero
        // moments, but with the bias correction of step 40
        float[] p = params(5);
        AdamOptimizer lazy = new AdamOptimizer(p.length, LR, EmbeddingOptimizer.LAZY_ADAM);
        Gradient none = new Gradient(LAYOUT);
        for (int s = 0; s < 39; s++) {
            lazy.apply(p, none);
        }
        Gradient g = new Gradient(LAYOUT);
        int at = g.table(1).add(7) * 8;
        float[] grad = {0.5f, -1f, 2f, 0f, 3e-4f, -0.25f, 1f, -2f};
        System.arraycopy(grad, 0, g.table(1).values(), at, 8);
        float[] before = p.clone();
        lazy.apply(p, g);
        assertEquals(40, lazy.step());
        double t = 40;
        float a = (float) (LR * Math.sqrt(1 - Math.pow(AdamOptimizer.BETA2, t)) / (1 - Math.pow(AdamOptimizer.BETA1,
                t)));
        for (int k = 0; k < 8; k++) {
            float mk = (float) (1 - AdamOptimizer.BETA1) * grad[k];
            float vk = (float) (1 - AdamOptimizer.BETA2) * grad[k] * grad[k];
            float expected = before[200 + 7 * 8 + k] - mk * a / ((float) Math.sqrt(vk) + (float) AdamOptimizer.EPSILON);
            assertEquals(expected, p[200 + 7 * 8 + k], 1e-7f * Math.max(1, Math.abs(expected)), "element " + k);
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(before[i], p[i], "no user row was touched");
        }
    }

    @Test
    void bothAgreeWhenEveryRowIsTouchedEveryStep() {
        SplittableRandom rnd = new SplittableRandom(9);
        float[] a = params(3);
        float[] b = a.clone();
        AdamOptimizer lazy = new AdamOptimizer(a.length, LR, EmbeddingOptimizer.LAZY_ADAM);
        AdamOptimizer dense = new AdamOptimizer(a.length, LR, EmbeddingOptimizer.ADAM);
        for (int s = 0; s < 10; s++) {
            Gradient g = step(rnd, 0);
            for (SparseRows t : g.tables()) {
                for (int id = 0; id < t.table().rows(); id++) {
                    int at = t.add(id) * t.width();
                    for (int k = 0; k < t.width(); k++) {
                        t.values()[at + k] = (float) rnd.nextGaussian();
                    }
                }
            }
            lazy.apply(a, g);
            dense.apply(b, g);
        }
        assertArrayEquals(b, a);
    }
}
