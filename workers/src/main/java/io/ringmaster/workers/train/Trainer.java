package io.ringmaster.workers.train;

import io.ringmaster.workers.eval.EvalResult;
import io.ringmaster.workers.eval.NcfEvaluator;

/**
 * The training loop of one worker. Each epoch: sample negatives and shuffle, then for every batch
 * {@code engine.computeGradient → hook → engine.applyUpdate}, then evaluate on the test split (when
 * this worker has an evaluator) and report the epoch.
 */
public final class Trainer {

    private final TrainingEngine engine;
    private final NegativeSampler sampler;
    private final TrainingSettings settings;
    private final GradientHook hook;
    private final NcfEvaluator evaluator;
    private final EpochListener listener;

    /** {@code evaluator} may be null (workers that do not evaluate). */
    public Trainer(TrainingEngine engine, NegativeSampler sampler, TrainingSettings settings, GradientHook hook,
                   NcfEvaluator evaluator, EpochListener listener) {
        this.engine = engine;
        this.sampler = sampler;
        this.settings = settings;
        this.hook = hook;
        this.evaluator = evaluator;
        this.listener = listener;
    }

    public TrainingSummary run() {
        int batch = settings.batchSize();
        int bestEpoch = 0;
        double bestHr = -1;
        double bestNdcg = 0;
        double bestMap = 0;
        double lastLoss = Double.NaN;
        double trainSeconds = 0;
        long trained = 0;
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
            if (engine instanceof Dl4jEngine d) {
                d.setEpoch(epoch - 1);
            }
            long t0 = System.nanoTime();
            EpochSamples samples = sampler.sample(epoch - 1);
            int size = samples.size();
            double lossSum = 0;
            for (int from = 0; from < size; from += batch) {
                int n = Math.min(batch, size - from);
                double loss = engine.computeGradient(samples.users(), samples.items(), samples.labels(), from, n);
                if (!Double.isFinite(loss)) {
                    throw new TrainingDivergedException("training diverged: loss is " + loss + " at epoch " + epoch
                            + ", step " + (engine.step() + 1) + "; lower train.learning-rate");
                }
                lossSum += loss * n;
                hook.onGradient(engine.gradient());
                engine.applyUpdate();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            trainSeconds += seconds;
            trained += size;
            lastLoss = lossSum / size;

            EvalResult eval = null;
            double evalSeconds = 0;
            if (evaluator != null) {
                long e0 = System.nanoTime();
                eval = evaluator.evaluate(engine::scores);
                evalSeconds = (System.nanoTime() - e0) / 1e9;
                if (eval.hr() > bestHr) {
                    bestHr = eval.hr();
                    bestNdcg = eval.ndcg();
                    bestMap = eval.map();
                    bestEpoch = epoch;
                }
            }
            listener.onEpoch(new EpochMetrics(epoch, engine.step(), lastLoss, settings.evalK(),
                    eval == null ? Double.NaN : eval.hr(), eval == null ? Double.NaN : eval.ndcg(),
                    eval == null ? Double.NaN : eval.map(), size, seconds, evalSeconds, size / seconds));
        }
        return new TrainingSummary(settings.epochs(), engine.step(), bestEpoch, bestHr, bestNdcg, bestMap, lastLoss,
                trained / trainSeconds, trainSeconds);
    }
}
