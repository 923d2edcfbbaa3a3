package io.ringmaster.orchestrator.dl4jspark;

import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingWorker;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * DL4J's {@link SharedTrainingMaster} with its builder's defaults except:
 * <ul>
 * <li>batches go straight from the RDD to the workers (no export to files);</li>
 * <li>the RDD is not repartitioned: it holds one partition per rank, each rank's loader shard in step
 * order, and one task trains each. DL4J's default repartitioner cuts it into one partition per
 * minibatch, a task each, and every task joins its JVM's trainer anew; a task that joins just after the
 * trainer ran out of input waits forever, which hung 5 of 20 one-epoch jobs on local[2] here;</li>
 * <li>every worker is an {@link ExecutorBoundWorker} that reports its transport's address into
 * {@code endpoints}.</li>
 * </ul>
 */
final class ExecutorBoundSharedTrainingMaster extends SharedTrainingMaster {

    private static final long serialVersionUID = 1L;

    /** Where each worker's transport listens, as the workers report it. */
    private final CollectionAccumulator<String> endpoints;

    ExecutorBoundSharedTrainingMaster(VoidConfiguration voidConfiguration, int numWorkers, int workersPerNode,
                                      int batchSizePerWorker, double threshold,
                                      CollectionAccumulator<String> endpoints) {
        super(voidConfiguration, numWorkers, RDDTrainingApproach.Direct, StorageLevel.MEMORY_ONLY_SER(), false,
                RepartitionStrategy.Balanced, Repartition.Never, new AdaptiveThresholdAlgorithm(threshold),
                new ResidualClippingPostProcessor(5.0, 5), batchSizePerWorker, batchSizePerWorker, 0L,
                workersPerNode, 2, null, Boolean.TRUE, 5000, false);
        this.endpoints = endpoints;
    }

    @Override
    public SharedTrainingWorker getWorkerInstance(SparkComputationGraph graph) {
        return new ExecutorBoundWorker(super.getWorkerInstance(graph), endpoints);
    }
}
