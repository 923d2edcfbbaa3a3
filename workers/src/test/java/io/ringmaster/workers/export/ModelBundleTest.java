package io.ringmaster.workers.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.Dataset;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.workers.model.NeuMFSettings;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.TrainingEngine;
import io.ringmaster.workers.train.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle written through the model spec reads back, and one that says it holds another model is refused. */
class ModelBundleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void theModelSpecExportsABundleAndABundleOfAnotherModelIsRefusedByName() throws Exception {
        Dataset ds = SyntheticDataset.generate(new SyntheticDataset.Params(40, 30, 6, 4, 0.8, 2.5, 3, 9)).dataset();
        NeuMFSettings neumf = new NeuMFSettings(4, new int[] {8, 4}, 1e-3);
        TrainingSettings s = new TrainingSettings(1, 64, 4, 3, EngineKind.FUSED, 10, 1);
        Configuration conf = Storage.configuration();
        Path out = tmp.resolve("bundle");
        try (TrainingEngine e = neumf.newEngine(ds.numUsers(), ds.numItems(), s)) {
            neumf.exportBundle(conf, e.save(), ds, s.seed(), Map.of("runId", "r"), out.toString());
        }
        ModelBundle b = ModelBundle.load(conf, out.toString());
        assertEquals(neumf.sized(ds.numUsers(), ds.numItems(), s.seed()), b.spec());

        // a bundle whose model.json names another model, with checksums that match: refused by what it holds
        Path modelJson = out.resolve(ModelBundle.MODEL_JSON);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new LinkedHashMap<>(JSON.readValue(modelJson.toFile(), Map.class));
        m.put("model", "ALS");
        byte[] changed = JSON.writeValueAsBytes(m);
        Files.write(modelJson, changed);
        @SuppressWarnings("unchecked")
        Map<String, Object> manifest = JSON.readValue(out.resolve(ModelBundle.MANIFEST).toFile(), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> sums = (Map<String, Object>) manifest.get("sha256");
        sums.put(ModelBundle.MODEL_JSON, Storage.sha256(changed));
        Files.write(out.resolve(ModelBundle.MANIFEST), JSON.writeValueAsBytes(manifest));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelBundle.load(conf, out.toString()));
        assertTrue(e.getMessage().contains("the bundle holds a ALS model; this build scores NeuMF bundles"),
                e.getMessage());
    }
}
