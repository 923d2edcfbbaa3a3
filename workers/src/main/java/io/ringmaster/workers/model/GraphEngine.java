package io.ringmaster.workers.model;

import io.ringmaster.workers.train.TrainingEngine;
import java.io.IOException;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A NeuMF engine that can show its model as a DL4J graph: its checkpoint form and parameter digest are
 * those of that graph ({@link NeuMF#save}, {@link NeuMF#paramsSha256}).
 */
interface GraphEngine extends TrainingEngine {

    /** The network as a DL4J graph with the current parameters and optimiser state. */
    ComputationGraph toGraph();

    @Override
    default byte[] save() throws IOException {
        return NeuMF.save(toGraph());
    }

    @Override
    default String paramsSha256() {
        return NeuMF.paramsSha256(toGraph());
    }
}
