package io.ringmaster.workers.train;

import io.ringmaster.workers.checkpoint.CheckpointState;
import io.ringmaster.workers.eval.Evaluator;
import io.ringmaster.workers.eval.Metrics;
import java.io.IOException;

/**
 * The epoch loop every training strategy shares: from the start (or a checkpoint's state) it has the
 * {@link EpochStrategy} train each epoch, stops on a loss that is not finite, evaluates, keeps the best
 * epoch by the figure {@code select} names, reports the epoch to the listener, takes the epoch's
 * checkpoint when due, and sums up. Mid-epoch checkpoints are the strategy's to time (through
 * {@link #checkpointer()}), with the state from {@link #midEpoch}.
 */
public final class EpochDriver {

    private final int epochs;
    private final int ranks;
    private final Evaluator evaluator;
    private final String select;
    private final EpochListener listener;
    private final Checkpointer checkpointer;
    private final CheckpointState at;
    private Timeline timeline = Timeline.OFF;
    private int bestEpoch;
    private Metrics best;
    private double trainSeconds;
    private long trained;

    /**
     * {@code evaluator} is null when nothing evaluates (on every rank alike); {@code select} names the
     * figure that picks the best epoch (null: the evaluator's first); {@code from} is null for a fresh
     * start, else the checkpoint's state.
     */
    public EpochDriver(int epochs, int ranks, Evaluator evaluator, String select, EpochListener listener,
                       Checkpointer checkpointer, CheckpointState from) {
        this.epochs = epochs;
        this.ranks = ranks;
        this.evaluator = evaluator;
        this.select = evaluator == null ? null : select != null ? select : evaluator.metricNames().get(0);
        if (evaluator != null && !evaluator.metricNames().contains(this.select)) {
            throw new IllegalArgumentException("eval.select '" + select + "' is not a figure the evaluator gives; it"
                    + " gives " + evaluator.metricNames());
        }
        this.listener = listener;
        this.checkpointer = checkpointer;
        this.at = from != null ? from : CheckpointState.start(ranks, "");
        this.bestEpoch = at.bestEpoch();
        Metrics saved = at.best();
        // a checkpoint keeps the figures, not their cut-off: it is the evaluator's
        this.best = saved == null || evaluator == null ? saved
                : new Metrics(evaluator.k(), saved.names(), saved.values(), saved.users());
        this.trainSeconds = at.trainSeconds();
        this.trained = at.trained();
    }

    /** Records evaluations and epoch checkpoints in {@code t}; returns this. */
    public EpochDriver timeline(Timeline t) {
        this.timeline = t;
        return this;
    }

    public TrainingSummary run(EpochStrategy strategy) throws IOException {
        double lastLoss = Double.NaN;
        for (int epoch = at.epoch() + 1; epoch <= epochs; epoch++) {
            boolean resuming = epoch == at.epoch() + 1 && at.stepInEpoch() > 0;
            EpochStrategy.Trained t = strategy.trainEpoch(epoch, resuming ? at.stepInEpoch() : 0,
                    resuming ? at : null, this);
            trainSeconds += t.seconds();
            trained += t.samples();
            lastLoss = t.loss();
            if (!Double.isFinite(lastLoss)) {
                throw new TrainingDivergedException("training diverged: loss is " + lastLoss + " at epoch " + epoch
                        + "; lower train.learning-rate");
            }
            Metrics eval = null;
            double evalSeconds = 0;
            if (evaluator != null) {
                long e0 = System.nanoTime();
                eval = strategy.evaluate(evaluator);
                evalSeconds = (System.nanoTime() - e0) / 1e9;
                timeline.span(Timeline.Phase.EVALUATION, e0, System.nanoTime(), strategy.step());
                double v = eval.get(select);
                if (best == null ? !Double.isNaN(v) : v > best.get(select)) {
                    best = eval;
                    bestEpoch = epoch;
                }
            }
            listener.onEpoch(new EpochMetrics(epoch, strategy.step(), lastLoss, eval, t.samples(), t.seconds(),
                    evalSeconds, t.samplesPerSecond(), t.counters()));
            if (checkpointer.dueAfterEpoch(epoch, epoch == epochs)) {
                long k0 = System.nanoTime();
                checkpointer.save(new CheckpointState(epoch, 0, strategy.step(), 0, bestEpoch, best, trainSeconds,
                        trained, ranks, at.configHash(), strategy.exchangeState()), strategy::save);
                timeline.span(Timeline.Phase.CHECKPOINT, k0, System.nanoTime(), strategy.step());
            }
        }
        return new TrainingSummary(epochs, strategy.step(), bestEpoch, best, lastLoss,
                trainSeconds > 0 ? trained / trainSeconds : Double.NaN, trainSeconds);
    }

    /** When and how checkpoints are taken; a strategy asks it after each step. */
    public Checkpointer checkpointer() {
        return checkpointer;
    }

    /**
     * The state of a checkpoint taken inside the epoch of index {@code epochIndex} (0-based) after its
     * step {@code stepInEpoch}: the gang's {@code lossSum} so far and the epoch's {@code seconds} so far.
     */
    public CheckpointState midEpoch(int epochIndex, int stepInEpoch, long globalStep, double lossSum, double seconds,
                                    double[] exchangeState) {
        return new CheckpointState(epochIndex, stepInEpoch, globalStep, lossSum, bestEpoch, best,
                trainSeconds + seconds, trained, ranks, at.configHash(), exchangeState);
    }
}
