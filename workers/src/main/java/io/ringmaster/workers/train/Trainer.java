package io.ringmaster.workers.train;

import io.ringmaster.workers.eval.EvalResult;
import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import io.ringmaster.workers.eval.NcfEvaluator;
import io.ringmaster.workers.checkpoint.CheckpointState;
import java.io.IOException;
import java.util.List;

/**
 * The training loop of one worker of a gang (synchronous data parallelism, as Horovod). Each step a
 * {@link SampleSource} gives this rank its local batch and the size of the global batch; the rank
 * computes the mean gradient of its batch (a dense block and the embedding rows it touched), weights
 * it by its share when shares are uneven, the gang averages the gradients ({@link GradientExchange}),
 * and every rank applies the same update. Every rank runs the same number of steps whatever the data.
 * After each epoch the ranks evaluate their share of the test users and combine the figures; the
 * epoch's {@link StepCounters} say where its steps went.
 */
public final class Trainer {

    private final TrainingEngine engine;
    private final SampleSource source;
    private final TrainingSettings settings;
    private final Collective gang;
    private final NcfEvaluator evaluator;
    private final EpochListener listener;
    private final FaultInjection fault;
    private Checkpointer checkpointer = Checkpointer.NONE;
    private CheckpointState from;

    /**
     * {@code evaluator} evaluates this rank's share of the test users ({@link NcfEvaluator#slice}); it is
     * null when no rank evaluates (then it must be null on every rank).
     */
    public Trainer(TrainingEngine engine, SampleSource source, TrainingSettings settings, Collective gang,
                   NcfEvaluator evaluator, EpochListener listener, FaultInjection fault) {
        this.engine = engine;
        this.source = source;
        this.settings = settings;
        this.gang = gang;
        this.evaluator = evaluator;
        this.listener = listener;
        this.fault = fault;
    }

    /** Examples from an in-memory {@link NegativeSampler}, the same epoch on every rank. */
    public Trainer(TrainingEngine engine, NegativeSampler sampler, TrainingSettings settings, Collective gang,
                   NcfEvaluator evaluator, EpochListener listener, FaultInjection fault) {
        this(engine, new InMemorySource(sampler, settings.batchSize(), gang.rank(), gang.size()), settings, gang,
                evaluator, listener, fault);
    }

    /** A single worker. */
    public Trainer(TrainingEngine engine, NegativeSampler sampler, TrainingSettings settings,
                   NcfEvaluator evaluator, EpochListener listener) {
        this(engine, sampler, settings, Collective.single(), evaluator, listener, FaultInjection.NONE);
    }

    /** Takes checkpoints with {@code c}; returns this. */
    public Trainer checkpoints(Checkpointer c) {
        this.checkpointer = c;
        return this;
    }

    /** Continues from a checkpoint's state (the engine must already hold its parameters); returns this. */
    public Trainer resumeFrom(CheckpointState state) {
        this.from = state;
        return this;
    }

    public TrainingSummary run() throws IOException {
        int ranks = gang.size();
        int rank = gang.rank();
        CheckpointState at = from != null ? from : CheckpointState.start(ranks, "");
        int bestEpoch = at.bestEpoch();
        double bestHr = at.bestHr();
        double bestNdcg = at.bestNdcg();
        double bestMap = at.bestMap();
        double lastLoss = Double.NaN;
        double trainSeconds = at.trainSeconds();
        long trained = at.trained();
        float[] sums = new float[4];
        Gradient grad = engine.gradient();
        GradientExchange exchange = ranks > 1
                ? new GradientExchange(gang, settings.embeddings(), grad.layout()) : null;
        if (exchange != null) {
            exchange.restore(at.exchangeState());
        }
        List<String> tables = grad.layout().tables().stream().map(EmbeddingTable::name).toList();
        for (int epoch = at.epoch() + 1; epoch <= settings.epochs(); epoch++) {
            engine.startEpoch(epoch - 1);
            long t0 = System.nanoTime();
            boolean resuming = epoch == at.epoch() + 1 && at.stepInEpoch() > 0;
            int first = resuming ? at.stepInEpoch() : 0;
            int steps = source.startEpoch(epoch - 1, first);
            long size = source.epochExamples();
            double lossSum = resuming && rank == 0 ? at.epochLossSum() : 0; // the gang's sum so far, once
            StepCounters.Tally tally = new StepCounters.Tally(tables);
            SampleSource.LocalBatch ahead = null; // read while the gang exchanged the step before
            long input = 0;
            for (int s = first; s < steps; s++) {
                long c0 = System.nanoTime();
                fault.check(rank, engine.step() + 1);
                SampleSource.LocalBatch b = ahead != null ? ahead : source.next();
                ahead = null;
                long c1 = System.nanoTime();
                int n = b.globalCount();
                int mine = b.count();
                double loss;
                if (mine > 0) {
                    loss = engine.computeGradient(b.users(), b.items(), b.labels(), b.from(), mine);
                } else { // fewer examples than ranks: this rank contributes a zero-weighted gradient
                    engine.computeGradient(b.users(), b.items(), b.labels(), b.from(), 1);
                    loss = 0;
                }
                if (!Double.isFinite(loss)) {
                    throw new TrainingDivergedException("training diverged: loss is " + loss + " at epoch " + epoch
                            + ", step " + (engine.step() + 1) + (ranks > 1 ? " on rank " + rank : "")
                            + "; lower train.learning-rate");
                }
                lossSum += loss * mine;
                long c2 = System.nanoTime();
                long denseSent = 0;
                long rowsSent = 0;
                if (exchange != null) {
                    if (mine == 0) {
                        grad.clear(); // a stand-in gradient, weighted zero (even if not finite): no rows, zeros
                    } else if ((long) mine * ranks != n) {
                        grad.scale((float) ((double) mine * ranks / n));
                    }
                    long d0 = gang.denseBytesSent();
                    long r0 = gang.rowBytesSent();
                    exchange.start(grad);
                    if (s + 1 < steps) {
                        // the other ranks may still be computing: read the next batch meanwhile
                        long i0 = System.nanoTime();
                        ahead = source.next();
                        input = System.nanoTime() - i0;
                    }
                    exchange.finish(grad);
                    denseSent = gang.denseBytesSent() - d0;
                    rowsSent = gang.rowBytesSent() - r0;
                }
                long c3 = System.nanoTime();
                engine.applyUpdate();
                long c4 = System.nanoTime();
                tally.input += c1 - c0 + input;
                tally.compute += c2 - c1;
                tally.exchange += c3 - c2 - input;
                tally.optimizer += c4 - c3;
                input = 0;
                tally.step(grad, exchange, denseSent, rowsSent);
                if (s + 1 < steps && checkpointer.dueAfterStep(engine.step())) {
                    checkpointer.save(engine, new CheckpointState(epoch - 1, s + 1, engine.step(), gangSum(lossSum, sums),
                            bestEpoch, bestHr, bestNdcg, bestMap,
                            trainSeconds + (System.nanoTime() - t0) / 1e9, trained, ranks, at.configHash(),
                            exchange == null ? null : exchange.state()));
                }
            }
            source.endEpoch();
            lossSum = gangSum(lossSum, sums);
            double seconds = (System.nanoTime() - t0) / 1e9;
            trainSeconds += seconds;
            trained += size;
            lastLoss = lossSum / size;

            EvalResult eval = null;
            double evalSeconds = 0;
            if (evaluator != null) {
                long e0 = System.nanoTime();
                eval = evaluator.evaluate(engine::scores);
                if (ranks > 1) {
                    eval = combine(eval, sums);
                }
                evalSeconds = (System.nanoTime() - e0) / 1e9;
                if (eval.hr() > bestHr) {
                    bestHr = eval.hr();
                    bestNdcg = eval.ndcg();
                    bestMap = eval.map();
                    bestEpoch = epoch;
                }
            }
            // a resumed epoch trained only its steps after the checkpoint in this session's seconds
            double trainedNow = steps == 0 ? 0 : (double) size * (steps - first) / steps;
            listener.onEpoch(new EpochMetrics(epoch, engine.step(), lastLoss, settings.evalK(),
                    eval == null ? Double.NaN : eval.hr(), eval == null ? Double.NaN : eval.ndcg(),
                    eval == null ? Double.NaN : eval.map(), size, seconds, evalSeconds, trainedNow / seconds,
                    tally.counters()));
            if (checkpointer.dueAfterEpoch(epoch, epoch == settings.epochs())) {
                checkpointer.save(engine, new CheckpointState(epoch, 0, engine.step(), 0, bestEpoch, bestHr, bestNdcg,
                        bestMap, trainSeconds, trained, ranks, at.configHash(),
                        exchange == null ? null : exchange.state()));
            }
        }
        return new TrainingSummary(settings.epochs(), engine.step(), bestEpoch, bestHr, bestNdcg, bestMap, lastLoss,
                trained / trainSeconds, trainSeconds);
    }

    /** The sum of {@code local} over the gang (as a float, the ring's format); {@code local} for a gang of one. */
    private double gangSum(double local, float[] scratch) throws IOException {
        if (gang.size() == 1) {
            return local;
        }
        scratch[0] = (float) local;
        gang.allReduce(scratch, 0, 1, false);
        return scratch[0];
    }

    /** The gang's figures from each rank's share: user-weighted means. */
    private EvalResult combine(EvalResult mine, float[] sums) throws IOException {
        sums[0] = (float) (mine.hr() * mine.users());
        sums[1] = (float) (mine.ndcg() * mine.users());
        sums[2] = (float) (mine.map() * mine.users());
        sums[3] = mine.users();
        gang.allReduce(sums, 0, 4, false);
        int users = Math.round(sums[3]);
        return new EvalResult(mine.k(), sums[0] / users, sums[1] / users, sums[2] / users, users);
    }
}
