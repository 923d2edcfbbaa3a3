package io.ringmaster.workers.train;

import io.ringmaster.workers.checkpoint.CheckpointState;
import io.ringmaster.workers.eval.Evaluator;
import io.ringmaster.workers.eval.Metrics;
import io.ringmaster.workers.gradient.EmbeddingTable;
import io.ringmaster.workers.gradient.Gradient;
import java.io.IOException;
import java.util.List;

/**
 * The training loop of one worker of a gang (synchronous data parallelism, as Horovod). Each step a
 * {@link SampleSource} gives this rank its local batch and the size of the global batch; the rank
 * computes the mean gradient of its batch (a dense block and the embedding rows it touched), weights
 * it by its share when shares are uneven, the gang averages the gradients ({@link GradientExchange}),
 * and every rank applies the same update. Every rank runs the same number of steps whatever the data.
 * After each epoch the ranks evaluate their share of the test users and combine the figures; the
 * epoch's {@link StepCounters} say where its steps went. The {@link EpochDriver} runs the epochs.
 */
public final class Trainer implements EpochStrategy {

    private final TrainingEngine engine;
    private final SampleSource source;
    private final TrainingSettings settings;
    private final Collective gang;
    private final Evaluator evaluator;
    private final EpochListener listener;
    private final FaultInjection fault;
    private Checkpointer checkpointer = Checkpointer.NONE;
    private Timeline timeline = Timeline.OFF;
    private StepListener steps = StepListener.NONE;
    private CheckpointState from;
    private GradientExchange exchange;

    /**
     * {@code evaluator} evaluates this rank's share of the test users; it is null when no rank evaluates
     * (then it must be null on every rank).
     */
    public Trainer(TrainingEngine engine, SampleSource source, TrainingSettings settings, Collective gang,
                   Evaluator evaluator, EpochListener listener, FaultInjection fault) {
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
                   Evaluator evaluator, EpochListener listener, FaultInjection fault) {
        this(engine, new InMemorySource(sampler, settings.batchSize(), gang.rank(), gang.size()), settings, gang,
                evaluator, listener, fault);
    }

    /** A single worker. */
    public Trainer(TrainingEngine engine, NegativeSampler sampler, TrainingSettings settings,
                   Evaluator evaluator, EpochListener listener) {
        this(engine, sampler, settings, Collective.single(), evaluator, listener, FaultInjection.NONE);
    }

    /** Takes checkpoints with {@code c}; returns this. */
    public Trainer checkpoints(Checkpointer c) {
        this.checkpointer = c;
        return this;
    }

    /** Tells {@code l} about every finished step; returns this. */
    public Trainer steps(StepListener l) {
        this.steps = l;
        return this;
    }

    /** Records every step's phases, evaluations and checkpoints in {@code t}; returns this. */
    public Trainer timeline(Timeline t) {
        this.timeline = t;
        return this;
    }

    /** Continues from a checkpoint's state (the engine must already hold its parameters); returns this. */
    public Trainer resumeFrom(CheckpointState state) {
        this.from = state;
        return this;
    }

    public TrainingSummary run() throws IOException {
        return new EpochDriver(settings.epochs(), gang.size(), evaluator, settings.select(), listener, checkpointer,
                from).timeline(timeline).run(this);
    }

    @Override
    public Trained trainEpoch(int epoch, int first, CheckpointState resumed, EpochDriver driver) throws IOException {
        int ranks = gang.size();
        int rank = gang.rank();
        Gradient grad = engine.gradient();
        if (exchange == null && ranks > 1) {
            exchange = new GradientExchange(gang, settings.embeddings(), grad.layout());
            if (from != null) {
                exchange.restore(from.exchangeState());
            }
        }
        List<String> tables = grad.layout().tables().stream().map(EmbeddingTable::name).toList();
        engine.startEpoch(epoch - 1);
        long t0 = System.nanoTime();
        int steps = source.startEpoch(epoch - 1, first);
        long size = source.epochExamples();
        double lossSum = resumed != null && rank == 0 ? resumed.epochLossSum() : 0; // the gang's sum so far, once
        StepCounters.Tally tally = new StepCounters.Tally(tables);
        SampleSource.LocalBatch ahead = null; // read while the gang exchanged the step before
        long input = 0;
        long aheadAt = 0;
        long waited = 0;
        for (int s = first; s < steps; s++) {
            long c0 = System.nanoTime();
            fault.check(rank, engine.step() + 1);
            if (fault.tampers(rank, engine.step() + 1)) {
                gang.tamperWithNextMessage();
            }
            SampleSource.LocalBatch b = ahead != null ? ahead : source.next();
            ahead = null;
            long c1 = System.nanoTime();
            int n = b.globalCount();
            int mine = b.count();
            double loss;
            if (mine > 0) {
                loss = engine.computeGradient(b.examples(), b.from(), mine);
            } else { // fewer examples than ranks: this rank contributes a zero-weighted gradient
                engine.computeGradient(b.examples(), b.from(), 1);
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
                waited = gang.waitNanos();
                exchange.start(grad);
                if (s + 1 < steps) {
                    // the other ranks may still be computing: read the next batch meanwhile
                    aheadAt = System.nanoTime();
                    ahead = source.next();
                    input = System.nanoTime() - aheadAt;
                }
                exchange.finish(grad);
                waited = gang.waitNanos() - waited;
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
            tally.wait += waited;
            tally.step(grad, exchange, denseSent, rowsSent);
            if (timeline.on()) {
                record(c0, c1, c2, c3, c4, aheadAt, input, waited);
            }
            this.steps.onStep(engine.step(), mine, loss);
            input = 0;
            aheadAt = 0;
            waited = 0;
            if (s + 1 < steps && driver.checkpointer().dueAfterStep(engine.step())) {
                long k0 = System.nanoTime();
                driver.checkpointer().save(driver.midEpoch(epoch - 1, s + 1, engine.step(), gangSum(lossSum),
                        (System.nanoTime() - t0) / 1e9, exchangeState()), engine::save);
                timeline.span(Timeline.Phase.CHECKPOINT, k0, System.nanoTime(), engine.step());
            }
        }
        source.endEpoch();
        lossSum = gangSum(lossSum);
        double seconds = (System.nanoTime() - t0) / 1e9;
        // a resumed epoch trained only its steps after the checkpoint in this session's seconds
        double trainedNow = steps == 0 ? 0 : (double) size * (steps - first) / steps;
        return new Trained(lossSum / size, size, seconds, trainedNow / seconds, perRank(tally.counters()));
    }

    /** The counters with every rank's seconds by phase, gathered through the gang (a sum of one-hot slots). */
    private StepCounters perRank(StepCounters mine) throws IOException {
        double[] own = mine.phaseSeconds();
        int phases = own.length;
        float[] all = new float[phases * gang.size()];
        for (int i = 0; i < phases; i++) {
            all[gang.rank() * phases + i] = (float) own[i];
        }
        if (gang.size() > 1) {
            gang.allReduce(all, 0, all.length, false);
        }
        List<java.util.Map<String, Double>> ranks = new java.util.ArrayList<>();
        for (int r = 0; r < gang.size(); r++) {
            java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < phases; i++) {
                m.put(StepCounters.RANK_PHASES.get(i), (double) all[r * phases + i]);
            }
            ranks.add(m);
        }
        return mine.withRanks(ranks);
    }

    /**
     * A step's spans: the batch it waited for, compute, the exchange (the next batch read inside it, and
     * the time blocked on the other ranks, summed and drawn at its end), the optimizer.
     */
    private void record(long c0, long c1, long c2, long c3, long c4, long aheadAt, long ahead, long waited) {
        long step = engine.step();
        timeline.span(Timeline.Phase.LOADER, c0, c1, step);
        timeline.span(Timeline.Phase.COMPUTE, c1, c2, step);
        if (exchange != null) {
            timeline.span(Timeline.Phase.EXCHANGE, c2, c3, step);
            if (ahead > 0) {
                timeline.span(Timeline.Phase.LOADER, aheadAt, aheadAt + ahead, step + 1);
            }
            if (waited > 0) {
                timeline.span(Timeline.Phase.WAIT, Math.max(c2, c3 - waited), c3, step);
            }
        }
        timeline.span(Timeline.Phase.OPTIMIZER, c3, c4, step);
    }

    @Override
    public Metrics evaluate(Evaluator evaluator) throws IOException {
        Metrics mine = evaluator.evaluate(engine::scores);
        return gang.size() > 1 ? combine(mine) : mine;
    }

    @Override
    public long step() {
        return engine.step();
    }

    @Override
    public byte[] save() throws IOException {
        return engine.save();
    }

    @Override
    public double[] exchangeState() {
        return exchange == null ? null : exchange.state();
    }

    /** The sum of {@code local} over the gang (as a float, the ring's format); {@code local} for a gang of one. */
    private double gangSum(double local) throws IOException {
        if (gang.size() == 1) {
            return local;
        }
        float[] sum = {(float) local};
        gang.allReduce(sum, 0, 1, false);
        return sum[0];
    }

    /** The gang's figures from each rank's share: user-weighted means. */
    private Metrics combine(Metrics mine) throws IOException {
        double[] v = mine.values();
        float[] sums = new float[v.length + 1];
        for (int i = 0; i < v.length; i++) {
            sums[i] = (float) (v[i] * mine.users());
        }
        sums[v.length] = mine.users();
        gang.allReduce(sums, 0, sums.length, false);
        int users = Math.round(sums[v.length]);
        double[] mean = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            mean[i] = sums[i] / users;
        }
        return new Metrics(mine.k(), mine.names(), mean, users);
    }
}
