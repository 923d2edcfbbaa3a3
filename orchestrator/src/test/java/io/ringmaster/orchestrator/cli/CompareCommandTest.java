package io.ringmaster.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `compare` (issue 20): two Spark MLlib runs side by side with most-popular, each with its NCF figures, its
 * full-catalogue MAP@K and its training time; a NeuMF run directory is refused with the export that makes
 * its bundle.
 */
class CompareCommandTest {

    @TempDir
    Path dir;

    @Test
    void comparePrintsEveryModelBesideMostPopular() throws Exception {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(300, 120, 20, 8, 0.8, 2.5,
                5, 30));
        String data = dir.resolve("data").toString();
        DatasetStore.write(Storage.configuration(), data, r.dataset(), r.source(), r.split(), false);
        String runs = dir.resolve("runs").toString();
        for (String type : List.of("als", "svd")) {
            CliRun t = CliRun.of("train", "--data", data, "--runs-dir", runs, "--run-id", type, "--set",
                    "model.type=" + type, "--set", type.equals("als") ? "als.rank=8" : "svd.k=8");
            assertEquals(0, t.exitCode(), t.toString());
            assertTrue(t.out().contains("report " + dir.resolve("runs").resolve(type).resolve("report.html")),
                    t.toString());
        }
        CliRun c = CliRun.of("compare", "--data", data, dir.resolve("runs/als").toString(),
                dir.resolve("runs/svd").toString());
        assertEquals(0, c.exitCode(), c.toString());
        List<String> lines = c.out().lines().toList();
        assertTrue(lines.get(1).matches("model\\s+type\\s+HR@10\\s+NDCG@10\\s+MAP@10\\s+full MAP@10\\s+train"),
                c.toString());
        String figures = "(\\s+0\\.\\d{4}){4}";
        assertTrue(lines.get(2).matches("most-popular\\s+baseline" + figures + "\\s+-"), c.toString());
        assertTrue(lines.get(3).matches("als\\s+als" + figures + "\\s+\\d+\\.\\ds"), c.toString());
        assertTrue(lines.get(4).matches("svd\\s+svd" + figures + "\\s+\\d+\\.\\ds"), c.toString());

        // the ALS run exported as a bundle scores as the run's own factors, in compare and in Spark batch scoring
        String bundle = dir.resolve("als-bundle").toString();
        CliRun ex = CliRun.of("export", dir.resolve("runs/als").toString(), "--out", bundle);
        assertEquals(0, ex.exitCode(), ex.toString());
        assertTrue(ex.out().contains("exported the als model of run als -> "), ex.toString());
        CliRun both = CliRun.of("compare", "--data", data, dir.resolve("runs/als").toString(), bundle);
        assertEquals(0, both.exitCode(), both.toString());
        List<String> rows = both.out().lines().toList();
        String run = rows.get(3).replaceAll("^als\\s+als", "").replaceAll("\\s+\\S+$", "");
        String fromBundle = rows.get(4).replaceAll("^als-bundle\\s+als", "").replaceAll("\\s+\\S+$", "");
        assertEquals(run, fromBundle, both.toString());
        CliRun score = CliRun.of("score", "--model", bundle, "--users", "all", "--top-k", "5", "--exclude-seen", data,
                "--out", dir.resolve("recs").toString());
        assertEquals(0, score.exitCode(), score.toString());
        assertTrue(score.out().contains("wrote 1,500 rows -> "), score.toString()); // 300 users, 5 each

        CliRun neumf = CliRun.of("train", "--data", data, "--epochs", "1", "--runs-dir", runs, "--run-id", "n");
        assertEquals(0, neumf.exitCode(), neumf.toString());
        CliRun refused = CliRun.of("compare", "--data", data, dir.resolve("runs/n").toString());
        assertEquals(1, refused.exitCode());
        assertTrue(refused.err().contains("is a NeuMF run directory: compare scores its model bundle; make it with"
                + " `ringmaster export "), refused.toString());
    }
}
