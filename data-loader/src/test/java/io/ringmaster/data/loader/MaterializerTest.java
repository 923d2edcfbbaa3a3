package io.ringmaster.data.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaterializerTest {

    @TempDir
    Path dir;

    @Test
    void writesEnoughRowGroupsForTheGangAndRecordsThemInTheManifest() throws Exception {
        Configuration conf = Storage.configuration();
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(500, 300, 30, 8, 0.8, 2.5,
                1, 20));
        String data = dir.resolve("data").toString();
        DatasetStore.write(conf, data, r.dataset(), r.source(), r.split(), false);
        // the dataset's own train.parquet is already cut for sharding
        ParquetDataset own = ParquetDataset.open(conf, data + "/" + DatasetStore.TRAIN,
                List.of(ColumnSpec.ints("user"), ColumnSpec.ints("item")), Retry.defaults());
        assertTrue(own.rowGroups().size() >= 8, "train.parquet has " + own.rowGroups().size() + " row groups");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String out = dir.resolve("sharded").toString();
        Materializer.Result m = Materializer.fromDataset(conf, data, out, new Materializer.Options(64, 4, false),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(m.lowered(), "64 MB row groups would give one group for a few thousand rows");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("fewer than 16 (workers x 4)"), log.toString());
        ParquetDataset written = ParquetDataset.open(conf, out,
                List.of(ColumnSpec.ints("user"), ColumnSpec.ints("item"), ColumnSpec.floats("rating")),
                Retry.defaults());
        assertTrue(written.rowGroups().size() >= 8, "got " + written.rowGroups().size() + " row groups");
        LoaderManifest manifest = LoaderManifest.read(conf, Storage.path(out));
        assertEquals(r.dataset().train().size(), manifest.rows());
        assertEquals(written.rowGroups().size(), manifest.rowGroups());
        assertEquals(written.rows(), manifest.rows());

        assertThrows(IllegalArgumentException.class, () -> Materializer.fromDataset(conf, data, out,
                new Materializer.Options(64, 4, false), new PrintStream(new ByteArrayOutputStream())));
        Materializer.fromDataset(conf, data, out, new Materializer.Options(0.05, 2, true),
                new PrintStream(new ByteArrayOutputStream()));
        assertEquals(r.dataset().train().size(), LoaderManifest.read(conf, Storage.path(out)).rows());
    }
}
