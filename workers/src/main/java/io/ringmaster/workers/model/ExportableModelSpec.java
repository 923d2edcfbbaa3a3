package io.ringmaster.workers.model;

import io.ringmaster.data.Dataset;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A model that can leave training as a bundle for batch scoring ({@code ringmaster export}): the model,
 * the id maps and item facts of the dataset it was trained on, and where it came from. The scorers read
 * what the bundle says it holds.
 */
public interface ExportableModelSpec extends ModelSpec {

    /**
     * Writes a bundle to {@code outUri} from a checkpoint's model ({@code saved}, as its engine saved it),
     * trained on {@code ds} with {@code seed}; refuses an existing {@code outUri}.
     */
    void exportBundle(Configuration conf, byte[] saved, Dataset ds, long seed, Map<String, Object> provenance,
                      String outUri) throws IOException;
}
