package io.ringmaster.orchestrator.dl4jspark;

import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.repartitioner.DefaultRepartitioner;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingWorker;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * DL4J's {@link SharedTrainingMaster} with its builder's defaults except: batches go straight from the
 * RDD to the workers (no export to files), and every worker is an {@link ExecutorBoundWorker}.
 */
final class ExecutorBoundSharedTrainingMaster extends SharedTrainingMaster {

    private static final long serialVersionUID = 1L;

    ExecutorBoundSharedTrainingMaster(VoidConfiguration voidConfiguration, int numWorkers, int workersPerNode,
                                      int batchSizePerWorker, double threshold) {
        super(voidConfiguration, numWorkers, RDDTrainingApproach.Direct, StorageLevel.MEMORY_ONLY_SER(), false,
                RepartitionStrategy.Balanced, Repartition.Always, new AdaptiveThresholdAlgorithm(threshold),
                new ResidualClippingPostProcessor(5.0, 5), batchSizePerWorker, batchSizePerWorker, 0L,
                workersPerNode, 2, new DefaultRepartitioner(), Boolean.TRUE, 5000, false);
    }

    @Override
    public SharedTrainingWorker getWorkerInstance(SparkComputationGraph graph) {
        return new ExecutorBoundWorker(super.getWorkerInstance(graph));
    }
}
