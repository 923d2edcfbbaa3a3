package io.ringmaster.workers.train;

import io.ringmaster.workers.model.FusedEngine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.eval.RankingEvaluator;
import io.ringmaster.workers.eval.PopularityBaseline;
import io.ringmaster.workers.gradient.SparseRows;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TrainerTest {

    static final Dataset DATA = SyntheticDataset.generate(
            new SyntheticDataset.Params(400, 300, 30, 8, 0.8, 2.5, 3, 99)).dataset();

    static NeuMFSpec spec() {
        return new NeuMFSpec(DATA.numUsers(), DATA.numItems(), 8, new int[] {32, 16, 8}, 2e-3, 5);
    }

    static NegativeSampler sampler() {
        UserItemIndex seen = new UserItemIndex(DATA.numUsers(), DATA.numItems(), DATA.train().users(),
                DATA.train().items());
        return new NegativeSampler(DATA.train().users(), DATA.train().items(), seen, 4, 5);
    }

    @Test
    void lossFallsAndTheModelBeatsPopularity() throws Exception {
        TrainingSettings s = new TrainingSettings(6, 128, 4, 5, EngineKind.FUSED, 10, 1);
        RankingEvaluator eval = new RankingEvaluator(DATA.test(), 10);
        List<EpochMetrics> epochs = new ArrayList<>();
        TrainingSummary summary;
        try (TrainingEngine e = new FusedEngine(spec(), EmbeddingOptimizer.DEFAULT)) {
            summary = new Trainer(e, sampler(), s, eval, epochs::add).run();
        }
        assertEquals(6, epochs.size());
        assertTrue(epochs.get(5).loss() < epochs.get(0).loss() * 0.9,
                "loss should fall: " + epochs.get(0).loss() + " -> " + epochs.get(5).loss());
        Metrics pop = eval.evaluate(new PopularityBaseline(DATA.numItems(), DATA.train().items()));
        assertTrue(summary.best("hr") > pop.get("hr"), "HR@10 " + summary.best("hr") + " vs most-popular "
                + pop.get("hr"));
        int perEpoch = sampler().epochSize();
        assertEquals(6L * ((perEpoch + 127) / 128), summary.steps());
    }

    @Test
    void sameSeedGivesTheSameModel() throws Exception {
        TrainingSettings s = new TrainingSettings(2, 256, 4, 5, EngineKind.FUSED, 10, 1);
        float[][] params = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (FusedEngine e = new FusedEngine(spec(), EmbeddingOptimizer.DEFAULT)) {
                new Trainer(e, sampler(), s, null, EpochListener.NONE).run();
                params[run] = e.parameters().clone();
            }
        }
        assertArrayEquals(params[0], params[1]);
    }

    @Test
    void divergenceStopsTrainingWithAClearMessage() {
        NeuMFSpec wild = new NeuMFSpec(DATA.numUsers(), DATA.numItems(), 8, new int[] {32, 16, 8}, 1e-3, 5);
        TrainingSettings s = new TrainingSettings(1, 128, 4, 5, EngineKind.FUSED, 10, 1);
        try (FusedEngine e = new FusedEngine(wild, EmbeddingOptimizer.DEFAULT)) {
            java.util.Arrays.fill(e.parameters(), Float.NaN);
            TrainingDivergedException ex = org.junit.jupiter.api.Assertions.assertThrows(
                    TrainingDivergedException.class,
                    () -> new Trainer(e, sampler(), s, null, EpochListener.NONE).run());
            assertTrue(ex.getMessage().contains("loss is NaN at epoch 1, step 1"), ex.getMessage());
        }
    }

    @Test
    void theGangAveragesEveryGradientBeforeTheUpdate() throws Exception {
        TrainingSettings s = new TrainingSettings(1, 512, 1, 5, EngineKind.FUSED, 10, 1);
        AtomicInteger gradients = new AtomicInteger();
        // rank 0 of a gang of two whose all-reduce zeroes the gradient: Adam then leaves the parameters
        Collective zeroing = new Collective() {
            public int rank() {
                return 0;
            }

            public int size() {
                return 2;
            }

            public void allReduce(float[] buf, int off, int len, boolean average) {
            }

            public Pending start(float[] buf, int off, int len, SparseRows[] tables) {
                gradients.incrementAndGet();
                java.util.Arrays.fill(buf, off, off + len, 0f);
                for (SparseRows t : tables) {
                    t.clear();
                }
                return () -> new long[tables.length];
            }

            public long denseBytesSent() {
                return 0;
            }

            public long rowBytesSent() {
                return 0;
            }

            public double denseCrossover() {
                return Double.POSITIVE_INFINITY;
            }

            public String transport() {
                return "zeroing";
            }

            public void close() {
            }
        };
        try (FusedEngine e = new FusedEngine(spec(), EmbeddingOptimizer.DEFAULT)) {
            float[] before = e.parameters().clone();
            NegativeSampler ns = new NegativeSampler(DATA.train().users(), DATA.train().items(),
                    new UserItemIndex(DATA.numUsers(), DATA.numItems(), DATA.train().users(), DATA.train().items()), 1,
                            5);
            TrainingSummary sum = new Trainer(e, ns, s, zeroing, null, EpochListener.NONE, FaultInjection.NONE).run();
            assertEquals(sum.steps(), gradients.get());
            assertArrayEquals(before, e.parameters());
        }
    }

    @Test
    void anInjectedFaultStopsTheNamedRankAtTheNamedStep() {
        TrainingSettings s = new TrainingSettings(1, 128, 4, 5, EngineKind.FUSED, 10, 1);
        try (FusedEngine e = new FusedEngine(spec(), EmbeddingOptimizer.DEFAULT)) {
            FaultInjection.InjectedFault f = org.junit.jupiter.api.Assertions.assertThrows(
                    FaultInjection.InjectedFault.class, () -> new Trainer(e, sampler(), s, Collective.single(), null,
                            EpochListener.NONE, new FaultInjection(0, 3)).run());
            assertTrue(f.getMessage().contains("rank 0 stopped at step 3"), f.getMessage());
            assertEquals(2, e.step());
        }
    }
}
