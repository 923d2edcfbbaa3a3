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
        assertTrue(e.getMessage().contains("the bundle holds a ALS model; this build scores NeuMF and factors"
                + " bundles"), e.getMessage());
    }

    @Test
    void aFactorBundleScoresEveryPairAsItsModelDoes() throws Exception {
        Dataset ds = SyntheticDataset.generate(new SyntheticDataset.Params(40, 30, 6, 4, 0.8, 2.5, 3, 9)).dataset();
        java.util.Random r = new java.util.Random(7);
        float[] u = new float[ds.numUsers() * 5];
        float[] i = new float[ds.numItems() * 5];
        for (int j = 0; j < u.length; j++) {
            u[j] = (float) r.nextGaussian();
        }
        for (int j = 0; j < i.length; j++) {
            i[j] = (float) r.nextGaussian();
        }
        io.ringmaster.workers.model.FactorModel model = new io.ringmaster.workers.model.FactorModel("als",
                ds.numUsers(), ds.numItems(), 5, u, i);
        Configuration conf = Storage.configuration();
        Path out = tmp.resolve("factors");
        ModelBundle.writeFactors(conf, model, ds, Map.of("runId", "r"), out.toString());
        ModelBundle b = ModelBundle.load(conf, out.toString());
        assertEquals("als", b.type());
        assertEquals(ds.numItems(), b.numItems());
        assertEquals(null, b.spec());
        int n = ds.numUsers() * ds.numItems();
        int[] us = new int[n];
        int[] is = new int[n];
        for (int j = 0; j < n; j++) {
            us[j] = j / ds.numItems();
            is[j] = j % ds.numItems();
        }
        float[] got = new float[n];
        try (BundleScorer scorer = b.newScorer()) {
            scorer.logits(us, is, n, got);
            for (int j = 0; j < n; j++) {
                assertEquals(model.score(us[j], is[j]), got[j], 0f, "pair " + j);
            }
            int[] top = new int[3];
            float[] topScores = new float[3];
            assertEquals(3, scorer.topK(0, 3, x -> false, top, topScores));
            assertEquals(model.score(0, top[0]), topScores[0], 0f);
        }
        // a modified factors file fails its checksum, naming it
        Files.write(out.resolve(ModelBundle.FACTORS), new byte[] {1, 2, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelBundle.load(conf, out.toString()));
        assertTrue(e.getMessage().contains("factors.bin: SHA-256 does not match the bundle manifest"), e.getMessage());
    }
}
