package io.ringmaster.orchestrator.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.ParquetTable;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.data.TestSplit;
import io.ringmaster.data.ValidationSplit;
import io.ringmaster.orchestrator.spark.SparkSessions;
import io.ringmaster.workers.model.FactorModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * King of the hill (issue 20): per-user routing by validation AP@K, ties to the best overall model, users
 * without a validation item to the best overall, the routed test MAP from each user's routed model, the
 * routing table; refusals for a dataset without a validation split and a model trained on another dataset.
 */
class KingOfTheHillTest {

    private static SparkSession spark;
    private static Dataset ds;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        Dataset held = ValidationSplit.holdOut(SyntheticDataset.generate(new SyntheticDataset.Params(120, 60, 12, 6,
                0.8, 2.5, 5, 20)).dataset(), 3);
        // the first three users have no validation item: they fall back
        TestSplit v = held.validation();
        int from = 3;
        TestSplit fewer = new TestSplit(Arrays.copyOfRange(v.users(), from, v.size()), Arrays.copyOfRange(v.items(),
                from, v.size()), new int[v.size() - from + 1], new int[0]);
        ds = new Dataset(held.name(), held.userIds(), held.itemIds(), held.itemTitles(), held.train(), held.test(),
                fewer);
        spark = SparkSessions.create("local[2]", "koth-test", Map.of());
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }

    /** Ranks each user's validation item first (one-hot user rows, items marked for their users). */
    private static FactorModel validationOracle() {
        int users = ds.numUsers();
        float[] u = new float[users * users];
        for (int x = 0; x < users; x++) {
            u[x * users + x] = 1;
        }
        float[] i = new float[ds.numItems() * users];
        for (int r = 0; r < ds.validation().size(); r++) {
            i[ds.validation().items()[r] * users + ds.validation().users()[r]] = 1;
        }
        return new FactorModel("oracle", users, ds.numItems(), users, u, i);
    }

    @Test
    void usersGoToTheirBestModelTiesAndFallbackToTheBestOverall() throws Exception {
        ModelSource popular = ModelSource.mostPopular(ds);
        ModelSource same = ModelSource.of("popular-again", popularAgain(), "sum");
        ModelSource oracle = ModelSource.of("oracle", validationOracle(), "sum");
        // two equal models: every tie goes to the first in overall order, fallback users too
        KingOfTheHill.Result tie = KingOfTheHill.run(spark, ds, "sum", List.of(popular, same), 10, 2);
        assertEquals(tie.validationMap()[0], tie.validationMap()[1], 0.0);
        assertArrayEquals(new int[] {ds.numUsers(), 0}, tie.served());
        assertEquals(3, tie.fallbackUsers());
        assertEquals(tie.testMap()[0], tie.routedTestMap(), 1e-12);

        // the oracle wins every user with a validation item (AP 1), and is the best overall for the rest
        KingOfTheHill.Result r = KingOfTheHill.run(spark, ds, "sum", List.of(popular, oracle), 10, 2);
        assertEquals(1.0, r.validationMap()[1], 0.0);
        assertEquals(1, r.best());
        assertArrayEquals(new int[] {0, ds.numUsers()}, r.served());
        assertEquals(r.testMap()[1], r.routedTestMap(), 1e-12);

        String out = tmp.resolve("koth").toString();
        KingOfTheHill.write(Storage.configuration(), ds, "data", r, out);
        Map<String, Object> routing = ParquetTable.read(Storage.configuration(), new org.apache.hadoop.fs.Path(out,
                KingOfTheHill.ROUTING), Map.of("user", ParquetTable.Kind.INT64, "model", ParquetTable.Kind.STRING));
        assertEquals(ds.numUsers(), ((long[]) routing.get("user")).length);
        assertTrue(Arrays.stream((String[]) routing.get("model")).allMatch("oracle"::equals));
    }

    /** Most-popular's scores again, under another name. */
    private static FactorModel popularAgain() {
        float[] ones = new float[ds.numUsers()];
        Arrays.fill(ones, 1f);
        float[] counts = new float[ds.numItems()];
        for (int i : ds.train().items()) {
            counts[i]++;
        }
        return new FactorModel("baseline", ds.numUsers(), ds.numItems(), 1, ones, counts);
    }

    @Test
    void aDatasetWithoutValidationOrAModelTrainedElsewhereIsRefused() {
        Dataset plain = new Dataset(ds.name(), ds.userIds(), ds.itemIds(), null, ds.train(), ds.test());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> KingOfTheHill.run(spark,
                plain, "sum", List.of(ModelSource.mostPopular(ds), ModelSource.of("o", validationOracle(), "sum")),
                10, 2));
        assertTrue(none.getMessage().contains("has no validation split: make one with `ringmaster holdout"),
                none.getMessage());
        IllegalArgumentException elsewhere = assertThrows(IllegalArgumentException.class, () -> KingOfTheHill.run(
                spark, ds, "sum", List.of(ModelSource.mostPopular(ds), ModelSource.of("o", validationOracle(),
                        "other")), 10, 2));
        assertTrue(elsewhere.getMessage().contains("model o was trained on another dataset (checksum other, this one"
                + " sum)"), elsewhere.getMessage());
    }
}
