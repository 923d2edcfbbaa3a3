package io.ringmaster.workers.model;

import io.ringmaster.workers.train.TrainingEngine;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** A model that is a DL4J graph, which DL4J's own Spark training masters can therefore train. */
public interface GraphModelSpec extends ModelSpec {

    /** The graph with freshly initialised parameters. */
    ComputationGraph buildGraph(int users, int items, long seed);

    /** The graph in a checkpoint's {@link TrainingEngine#save()} form. */
    ComputationGraph readGraph(byte[] saved) throws java.io.IOException;

    /** The graph's {@link TrainingEngine#save()} form. */
    byte[] writeGraph(ComputationGraph graph) throws java.io.IOException;

    /** An engine over {@code graph} itself (DL4J's, for scoring what a training master trained). */
    TrainingEngine engineOn(ComputationGraph graph);
}
