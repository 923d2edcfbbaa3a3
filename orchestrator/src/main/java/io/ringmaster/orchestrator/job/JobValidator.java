package io.ringmaster.orchestrator.job;

import io.ringmaster.workers.eval.RankingEvaluator;
import io.ringmaster.workers.train.EmbeddingExchange;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.FaultInjection;
import java.util.Map;

/**
 * Checks a bound job before anything runs: every value in range, sections present, the settings that
 * only one strategy understands refused by name for the others. Each error is one line naming the key.
 */
final class JobValidator {

    private JobValidator() {
    }

    /** Checks every value of {@code job}; the message names the key. */
    static void check(JobConfig job) {
        for (Object[] section : new Object[][] {{"model", job.model}, {"train", job.train}, {"eval", job.eval},
                {"run", job.run}, {"spark", job.spark}, {"spark.conf", job.spark == null ? Map.of() : job.spark.conf},
                {"hadoop", job.hadoop}, {"allreduce", job.allreduce}, {"loader", job.loader},
                {"checkpoint", job.checkpoint}, {"retry", job.retry}}) {
            if (section[1] == null) {
                throw new JobConfigException("job: '" + section[0] + "' must be a mapping, not empty (remove the key"
                        + " for the defaults" + (section[0].equals("spark.conf") || section[0].equals("hadoop")
                        ? ", or use {} for none)" : ")"));
            }
        }
        if (job.strategy == null) {
            throw new JobConfigException("job: 'strategy' must be one of " + String.join(", ", Strategy.ids())
                    + ", got none");
        }
        if (job.parameterServer == null || job.averaging == null) {
            throw new JobConfigException("job: 'parameter-server' and 'averaging' must be mappings, not empty (remove"
                    + " the key for the defaults)");
        }
        if (job.run.dir == null || job.run.dir.isBlank()) {
            throw new JobConfigException("job: 'run.dir' must name the directory that holds run directories");
        }
        if (job.data == null || job.data.isBlank()) {
            throw new JobConfigException("job: 'data' is required: the dataset directory written by"
                    + " `ringmaster ingest` or `ringmaster generate`");
        }
        if (job.workers < 1) {
            throw new JobConfigException("job: 'workers' must be >= 1, got " + job.workers);
        }
        ModelTypes.check(job.model.type);
        checkFamilySettings(job);
        if (job.eval.select == null || !RankingEvaluator.METRICS.contains(job.eval.select)) {
            throw new JobConfigException("job: 'eval.select' must be one of " + String.join(", ",
                    RankingEvaluator.METRICS) + ", got '" + job.eval.select + "'");
        }
        if (job.model.factors < 1) {
            throw new JobConfigException("job: 'model.factors' must be >= 1, got " + job.model.factors);
        }
        if (job.model.layers == null || job.model.layers.size() < 2) {
            throw new JobConfigException("job: 'model.layers' needs at least two widths (embedding, one dense"
                    + " layer), got " + job.model.layers);
        }
        for (Integer w : job.model.layers) {
            if (w == null || w < 1) {
                throw new JobConfigException("job: 'model.layers' entries must be positive, got " + job.model.layers);
            }
        }
        if (job.model.layers.get(0) % 2 != 0) {
            throw new JobConfigException("job: 'model.layers[0]' is the concatenated user+item embedding width and"
                    + " must be even, got " + job.model.layers.get(0));
        }
        if (!(job.train.learningRate > 0) || Double.isInfinite(job.train.learningRate)) {
            throw new JobConfigException("job: 'train.learning-rate' must be a positive number, got "
                    + job.train.learningRate);
        }
        if (job.train.batchSize % job.workers != 0) {
            throw new JobConfigException("job: 'train.batch-size' (" + job.train.batchSize + ") must be a multiple of"
                    + " 'workers' (" + job.workers + "): it is the global batch, split evenly across workers");
        }
        if (job.workersMin < 0 || job.workersMin > job.workers) {
            throw new JobConfigException("job: 'workers-min' must be between 1 and 'workers' (" + job.workers
                    + "), got " + job.workersMin);
        }
        for (int n = job.workersMin(); n < job.workers; n++) {
            if (job.train.batchSize % n != 0) {
                throw new JobConfigException("job: 'train.batch-size' (" + job.train.batchSize + ") must be a multiple"
                        + " of every gang size from 'workers-min' (" + job.workersMin() + ") to 'workers' ("
                        + job.workers + "), so a smaller gang keeps the global batch; not of " + n);
            }
        }
        if (job.run.progressSeconds < 0) {
            throw new JobConfigException("job: 'run.progress-seconds' must be >= 0 (0: no progress lines), got "
                    + job.run.progressSeconds);
        }
        if (job.retry.waitForSlots < 0) {
            throw new JobConfigException("job: 'retry.wait-for-slots' must be >= 0 seconds, got "
                    + job.retry.waitForSlots);
        }
        if (job.run.id != null && !job.run.id.matches("[A-Za-z0-9._-]+")) {
            throw new JobConfigException("job: 'run.id' may only use letters, digits, '.', '_' and '-', got '"
                    + job.run.id + "'");
        }
        if (job.cluster != null) {
            ClusterProfile p = ClusterProfile.load(job.cluster);
            Integer max = p.maxWorkers();
            if (max != null && job.workers > max) {
                throw new JobConfigException("job: workers = " + job.workers + " but cluster profile '" + job.cluster
                        + "' has " + p.executors + " executor(s) x " + p.gpusPerExecutor + " GPUs / " + p.gpusPerTask
                        + " per worker = " + max + " worker slots");
            }
            if (p.gpusPerExecutor > 0 && job.sparkMaster().startsWith("local")) {
                throw new JobConfigException("job: cluster profile '" + job.cluster + "' requests GPUs, which a "
                        + job.sparkMaster() + " master cannot schedule; submit to a cluster master (spark.master)");
            }
        }
        if (job.checkpoint.everySteps < 0 || job.checkpoint.everyEpochs < 0 || job.checkpoint.keep < 1) {
            throw new JobConfigException("job: 'checkpoint.every-steps' and 'checkpoint.every-epochs' must be >= 0"
                    + " and 'checkpoint.keep' >= 1");
        }
        if (job.retry.maxAttempts < 1) {
            throw new JobConfigException("job: 'retry.max-attempts' must be >= 1, got " + job.retry.maxAttempts);
        }
        if (job.fault != null && (job.fault.killRank < 0 || job.fault.killRank >= job.workers
                || job.fault.atStep < 1)) {
            throw new JobConfigException("job: 'fault' needs kill-rank in [0, workers) and at-step >= 1, got kill-rank "
                    + job.fault.killRank + ", at-step " + job.fault.atStep);
        }
        if (job.fault != null && job.fault.kind == null) {
            throw new JobConfigException("job: 'fault.kind' must be stop, exit or tamper (leave it out for stop)");
        }
        if (job.fault != null && job.fault.kind == FaultInjection.Kind.EXIT && (job.sparkMaster().equals("local")
                || job.sparkMaster().startsWith("local["))) {
            throw new JobConfigException("job: 'fault.kind' exit halts the rank's JVM, which with spark.master "
                    + job.sparkMaster() + " is the driver's: use local-cluster[...] or a cluster master");
        }
        if (job.fault != null && job.fault.kind == FaultInjection.Kind.TAMPER && !job.usesRing()) {
            throw new JobConfigException("job: 'fault.kind' tamper alters a message of the ring, which strategy "
                    + job.strategy.id() + " does not use");
        }
        if (!job.usesRing() && job.trace.timeline()) {
            throw new JobConfigException("job: 'trace.timeline' records the ring's steps; strategy " + job.strategy.id()
                    + " trains inside DL4J's training master, which it cannot see (remove trace.timeline)");
        }
        if (!job.usesRing() && job.workersMin() != job.workers) {
            throw new JobConfigException("job: 'workers-min' lets a ring gang continue smaller; strategy "
                    + job.strategy.id() + " needs its " + job.workers + " workers (remove workers-min)");
        }
        if (!job.usesRing()) {
            refuseForDl4jStrategy(job);
        }
        if (job.engine() == EngineKind.DL4J && job.allreduce.embeddings == EmbeddingExchange.SPARSE) {
            throw new JobConfigException("job: 'allreduce.embeddings' sparse needs train.engine fused; the dl4j"
                    + " engine's gradient is one dense block (use auto or dense)");
        }
        try {
            job.ringOptions();
            job.settings();
            job.loaderSettings();
        } catch (IllegalArgumentException e) {
            throw new JobConfigException("job: " + e.getMessage(), e);
        }
    }

    /**
     * DL4J's training masters run a whole epoch per Spark job on their own transport, so some of the
     * ring's options have no meaning there: refuse them by name rather than ignore them.
     */
    private static void refuseForDl4jStrategy(JobConfig job) {
        String s = "strategy " + job.strategy.id();
        if (job.engine() != EngineKind.DL4J) {
            throw new JobConfigException("job: " + s
                    + " trains DL4J's graph on the workers; 'train.engine' must be dl4j"
                    + " (or left out), got " + job.engine().id());
        }
        if (job.checkpoint.everySteps != 0) {
            throw new JobConfigException("job: " + s + " checkpoints at epoch ends only (DL4J's training master runs"
                    + " a whole epoch per Spark job); 'checkpoint.every-steps' must be 0, got "
                            + job.checkpoint.everySteps);
        }
        JobSections.AllReduce ring = new JobSections.AllReduce();
        if (job.allreduce != null && (!java.util.Objects.equals(job.allreduce.compression, ring.compression)
                || job.allreduce.timeout != ring.timeout || job.allreduce.connectTimeout != ring.connectTimeout
                || job.allreduce.chunkKb != ring.chunkKb || !java.util.Objects.equals(job.allreduce.embeddings,
                        ring.embeddings)
                || !java.util.Objects.equals(job.allreduce.transport, ring.transport)
                || !java.util.Objects.equals(job.allreduce.integrity, ring.integrity))) {
            throw new JobConfigException("job: the 'allreduce' section configures Ringmaster's ring, which " + s
                    + " does not use; remove it (see 'parameter-server' / 'averaging' for this strategy's settings)");
        }
        if (job.train.threads != 1) {
            throw new JobConfigException("job: 'train.threads' sets the fused engine's BLAS threads; " + s
                    + " runs DL4J's own threads (set OMP_NUM_THREADS on the executors), remove it");
        }
        if (job.strategy == Strategy.AVERAGING && job.averaging.frequency < 1) {
            throw new JobConfigException("job: 'averaging.frequency' must be >= 1, got " + job.averaging.frequency);
        }
        if (job.strategy == Strategy.PARAMETER_SERVER) {
            job.portRange();
            if (!(job.parameterServer.threshold > 0) || Double.isInfinite(job.parameterServer.threshold)) {
                throw new JobConfigException("job: 'parameter-server.threshold' must be a positive number, got "
                        + job.parameterServer.threshold);
            }
            if (job.parameterServer.trainersPerExecutor < 1) {
                throw new JobConfigException("job: 'parameter-server.trainers-per-executor' must be >= 1, got "
                        + job.parameterServer.trainersPerExecutor);
            }
            if (job.parameterServer.connectTimeout < 1) {
                throw new JobConfigException("job: 'parameter-server.connect-timeout' must be >= 1 s, got "
                        + job.parameterServer.connectTimeout);
            }
        }
        if (job.stallTimeout() < 30) {
            throw new JobConfigException("job: '" + job.strategy.id()
                    + ".stall-timeout' must be >= 30 s (executors report"
                    + " progress with their heartbeats, every 10 s by default), got " + job.stallTimeout());
        }
    }

    /**
     * Each MLlib family's section only with its model.type, its values in range, and what a family trained
     * by MLlib cannot do refused naming the key.
     */
    private static void checkFamilySettings(JobConfig job) {
        String type = job.model.type;
        for (Object[] section : new Object[][] {{"als", job.als}, {"item2vec", job.item2vec}, {"svd", job.svd}}) {
            if (section[1] != null && !section[0].equals(type)) {
                throw new JobConfigException("job: '" + section[0] + "' settings are for model.type " + section[0]
                        + ", but model.type is " + type + " (remove the section or set model.type: " + section[0]
                        + ")");
            }
        }
        if (!job.sparkFamily()) {
            return;
        }
        if (job.strategy != Strategy.ALLREDUCE) {
            throw new JobConfigException("job: 'strategy' " + job.strategy.id() + " trains a gang; model.type " + type
                    + " is trained by Spark MLlib (remove strategy)");
        }
        if (job.trace.timeline()) {
            throw new JobConfigException("job: 'trace.timeline' records a gang's steps; model.type " + type
                    + " is trained by Spark MLlib (remove trace.timeline)");
        }
        if (job.fault != null) {
            throw new JobConfigException("job: 'fault' injects a failure into a gang's rank; model.type " + type
                    + " is trained by Spark MLlib (remove fault)");
        }
        JobSections.Als als = job.als();
        positive("als.rank", als.rank);
        positive("als.iterations", als.iterations);
        if (!(als.regParam >= 0)) {
            throw new JobConfigException("job: 'als.reg-param' must be >= 0, got " + als.regParam);
        }
        if (!(als.alpha > 0)) {
            throw new JobConfigException("job: 'als.alpha' must be > 0, got " + als.alpha);
        }
        JobSections.Item2Vec w2v = job.item2vec();
        positive("item2vec.vector-size", w2v.vectorSize);
        positive("item2vec.window", w2v.window);
        positive("item2vec.min-count", w2v.minCount);
        positive("item2vec.iterations", w2v.iterations);
        positive("item2vec.partitions", w2v.partitions);
        positive("item2vec.recent", w2v.recent);
        if (!(w2v.learningRate > 0)) {
            throw new JobConfigException("job: 'item2vec.learning-rate' must be > 0, got " + w2v.learningRate);
        }
        if (w2v.iterations > w2v.partitions) {
            // the seed's pitfall: MLlib documents (Word2Vec.setNumIterations) that iterations "should be smaller
            // than or equal to number of partitions", and does not check it
            throw new JobConfigException("job: 'item2vec.iterations' (" + w2v.iterations + ") must not exceed"
                    + " 'item2vec.partitions' (" + w2v.partitions + "): Spark MLlib's Word2Vec requires iterations <="
                    + " partitions (its setNumIterations documents it, and does not check); raise"
                    + " item2vec.partitions too");
        }
        positive("svd.k", job.svd().k);
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new JobConfigException("job: '" + key + "' must be >= 1, got " + value);
        }
    }
}
