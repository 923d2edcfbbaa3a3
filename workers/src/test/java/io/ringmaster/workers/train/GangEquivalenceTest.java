package io.ringmaster.workers.train;

import io.ringmaster.workers.model.FusedEngine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.workers.eval.RankingEvaluator;
import io.ringmaster.workers.model.EmbeddingOptimizer;
import io.ringmaster.workers.model.NeuMFSpec;
import io.ringmaster.workers.ring.LoopbackRing;
import io.ringmaster.workers.ring.RingAuth;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.ring.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Synchronous data parallelism: N workers with local batch B follow one worker with batch N·B on the
 * same samples (lazy Adam, embedding rows exchanged; and whole tables), over TCP and shared memory, and
 * every rank of the gang holds bit-identical parameters.
 */
class GangEquivalenceTest {

    static final Dataset DATA = SyntheticDataset.generate(
            new SyntheticDataset.Params(120, 90, 12, 8, 0.8, 2.5, 3, 17)).dataset();
    static final int GLOBAL_BATCH = 240; // 1, 2 and 4 workers split it evenly
    static final int EPOCHS = 2;

    record Run(float[][] params, List<EpochMetrics> epochs, TrainingSummary summary) {
    }

    static Run train(int workers, EmbeddingOptimizer optimizer) throws Exception {
        return train(workers, Transport.AUTO, EmbeddingExchange.AUTO, optimizer);
    }

    static Run train(int workers, Transport transport, EmbeddingExchange embeddings, EmbeddingOptimizer optimizer)
            throws Exception {
        NeuMFSpec spec = new NeuMFSpec(DATA.numUsers(), DATA.numItems(), 8, new int[] {16, 8}, 5e-3, 11);
        TrainingSettings s = new TrainingSettings(EPOCHS, GLOBAL_BATCH, 4, 11, EngineKind.FUSED, 10, 1)
                .withEmbeddings(embeddings).withEmbeddingOptimizer(optimizer);
        List<Collective> ring = LoopbackRing.gang(workers, RingAuth.newSecret(),
                RingOptions.DEFAULT.withTransport(transport));
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            List<EpochMetrics> epochs = new java.util.concurrent.CopyOnWriteArrayList<>();
            TrainingSummary[] summary = new TrainingSummary[1];
            for (Collective gang : ring) {
                fs.add(pool.submit(() -> {
                    UserItemIndex seen = new UserItemIndex(DATA.numUsers(), DATA.numItems(), DATA.train().users(),
                            DATA.train().items());
                    NegativeSampler sampler = new NegativeSampler(DATA.train().users(), DATA.train().items(), seen,
                            4, 11);
                    RankingEvaluator eval = RankingEvaluator.slice(DATA.test(), 10, gang.rank(), gang.size());
                    try (FusedEngine e = new FusedEngine(spec, optimizer)) {
                        TrainingSummary sum = new Trainer(e, sampler, s, gang, eval,
                                gang.rank() == 0 ? epochs::add : EpochListener.NONE, FaultInjection.NONE).run();
                        if (gang.rank() == 0) {
                            summary[0] = sum;
                        }
                        return e.parameters().clone();
                    }
                }));
            }
            float[][] params = new float[workers][];
            for (int r = 0; r < workers; r++) {
                params[r] = fs.get(r).get(120, TimeUnit.SECONDS);
            }
            return new Run(params, epochs, summary[0]);
        } finally {
            pool.shutdownNow();
            ring.forEach(Collective::close);
        }
    }

    static List<Arguments> gangs() {
        List<Arguments> out = new ArrayList<>();
        for (Transport t : List.of(Transport.TCP, Transport.SHM)) {
            out.add(Arguments.of(2, t, EmbeddingExchange.AUTO, EmbeddingOptimizer.LAZY_ADAM));
            out.add(Arguments.of(4, t, EmbeddingExchange.AUTO, EmbeddingOptimizer.LAZY_ADAM));
        }
        out.add(Arguments.of(3, Transport.TCP, EmbeddingExchange.DENSE, EmbeddingOptimizer.LAZY_ADAM));
        out.add(Arguments.of(2, Transport.SHM, EmbeddingExchange.AUTO, EmbeddingOptimizer.ADAM));
        return out;
    }

    @ParameterizedTest(name = "{0} workers, {1}, embeddings {2}, {3}")
    @MethodSource("gangs")
    void aGangFollowsOneWorkerWithTheGlobalBatch(int workers, Transport transport, EmbeddingExchange embeddings,
                                                 EmbeddingOptimizer optimizer) throws Exception {
        Run one = train(1, optimizer);
        Run gang = train(workers, transport, embeddings, optimizer);
        for (int r = 1; r < workers; r++) {
            assertArrayEquals(gang.params()[0], gang.params()[r], "rank " + r + " drifted from rank 0");
        }
        float[] a = one.params()[0];
        float[] b = gang.params()[0];
        float[] init = new FusedEngine(new NeuMFSpec(DATA.numUsers(), DATA.numItems(), 8, new int[] {16, 8}, 5e-3, 11),
                EmbeddingOptimizer.DEFAULT)
                .parameters();
        double worst = 0;
        double moved = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
            moved = Math.max(moved, Math.abs(a[i] - init[i]));
        }
        System.out.printf("gang of %d vs one worker: max parameter difference %.3g, max movement %.3g%n", workers,
                worst, moved);
        assertEquals(one.summary().steps(), gang.summary().steps());
        assertTrue(moved > 0.01, "training should move the parameters; moved " + moved);
        assertTrue(worst < 1e-4 * moved, "gang of " + workers + " differs from one worker by " + worst
                + " (parameters moved up to " + moved + ")");
        for (int ep = 0; ep < EPOCHS; ep++) {
            assertEquals(one.epochs().get(ep).loss(), gang.epochs().get(ep).loss(), 1e-5, "loss, epoch " + ep);
            assertEquals(one.epochs().get(ep).metrics().get("hr"), gang.epochs().get(ep).metrics().get("hr"), 1e-6,
                    "HR, epoch " + ep);
        }
    }
}
