package io.ringmaster.workers.seam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.workers.CheckpointSettings;
import io.ringmaster.workers.LoaderSettings;
import io.ringmaster.workers.Worker;
import io.ringmaster.workers.WorkerResult;
import io.ringmaster.workers.WorkerSpec;
import io.ringmaster.workers.checkpoint.Checkpoint;
import io.ringmaster.workers.checkpoint.CheckpointStore;
import io.ringmaster.workers.ring.LoopbackRing;
import io.ringmaster.workers.ring.RingAuth;
import io.ringmaster.workers.ring.RingOptions;
import io.ringmaster.workers.ring.Transport;
import io.ringmaster.workers.train.Collective;
import io.ringmaster.workers.train.EngineKind;
import io.ringmaster.workers.train.FaultInjection;
import io.ringmaster.workers.train.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model seam's proof: a model type that exists only in this test ({@link MatrixFactorisation}) trains
 * through the unchanged worker, ring, trainer, checkpoints and records with 2 workers, and a run resumed
 * from one of its mid-epoch checkpoints ends bit for bit where the uninterrupted run ended.
 */
class SecondModelTypeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aTestOnlyModelTrainsOnTheRingWithTwoWorkersAndResumesFromACheckpoint() throws Exception {
        SyntheticDataset.Result data = SyntheticDataset.generate(
                new SyntheticDataset.Params(120, 90, 12, 8, 0.8, 2.5, 3, 17));
        Configuration conf = Storage.configuration();
        String dataUri = tmp.resolve("data").toString();
        DatasetStore.write(conf, dataUri, data.dataset(), data.source(), data.split(), false);
        TrainingSettings settings = new TrainingSettings(3, 120, 4, 5, EngineKind.FUSED, 10, 1);
        CheckpointSettings every7 = new CheckpointSettings(7, 1, 100, "model:\n  type: test-mf\n", "mf-hash", null);

        String whole = tmp.resolve("whole").toString();
        List<WorkerResult> a = train(new WorkerSpec("whole", dataUri, whole, Map.of(), new MatrixFactorisation(8, 0.5),
                settings, FaultInjection.NONE, LoaderSettings.MEMORY, every7));
        assertEquals(a.get(0).paramsSha256(), a.get(1).paramsSha256(), "both ranks hold the same model");
        assertTrue(a.get(0).summary().finalLoss() < Math.log(2) * 0.95, "it learned: final loss "
                + a.get(0).summary().finalLoss());
        assertTrue(a.get(0).summary().best("hr") > 0, "evaluated by the job's evaluator");
        Map<?, ?> start = JSON.readValue(Files.readAllLines(Path.of(whole, Worker.METRICS_FILE)).get(0), Map.class);
        assertEquals(MatrixFactorisation.TYPE, start.get("modelType"));
        assertEquals("sgd", start.get("engine"));

        Checkpoint mid = midEpochCheckpoint(conf, whole);
        String resumed = tmp.resolve("resumed").toString();
        List<WorkerResult> b = train(new WorkerSpec("resumed", dataUri, resumed, Map.of(),
                new MatrixFactorisation(8, 0.5), settings, FaultInjection.NONE, LoaderSettings.MEMORY,
                every7.resumingFrom(mid.dir().toString())));
        assertEquals(mid.step(), b.get(0).resumedFromStep());
        assertEquals(a.get(0).paramsSha256(), b.get(0).paramsSha256(), "resumed at step " + mid.step()
                + " (epoch " + (mid.state().epoch() + 1) + ", step " + mid.state().stepInEpoch() + " of it)");
        assertEquals(a.get(0).summary().steps(), b.get(0).summary().steps());
        assertEquals(a.get(0).summary().bestEpoch(), b.get(0).summary().bestEpoch());
        assertEquals(a.get(0).summary().best().names(), b.get(0).summary().best().names());
        assertArrayEquals(a.get(0).summary().best().values(), b.get(0).summary().best().values());
    }

    /** Both ranks of a 2-worker gang over the loopback TCP ring; element r is rank r's result. */
    private static List<WorkerResult> train(WorkerSpec spec) throws Exception {
        List<Collective> ring = LoopbackRing.gang(2, RingAuth.newSecret(),
                RingOptions.DEFAULT.withTransport(Transport.TCP));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<WorkerResult>> fs = new ArrayList<>();
            for (Collective gang : ring) {
                fs.add(pool.submit(() -> Worker.run(spec, gang)));
            }
            List<WorkerResult> out = new ArrayList<>();
            for (Future<WorkerResult> f : fs) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
            ring.forEach(Collective::close);
        }
    }

    /** The last checkpoint of the run taken inside an epoch that is not the first. */
    private static Checkpoint midEpochCheckpoint(Configuration conf, String runDir) throws Exception {
        CheckpointStore store = new CheckpointStore(conf, runDir, 100);
        Checkpoint found = null;
        try (Stream<Path> dirs = Files.list(Path.of(runDir, CheckpointStore.DIR))) {
            for (Path d : dirs.sorted(Comparator.comparing(p -> Long.parseLong(p.getFileName().toString())))
                    .toList()) {
                Checkpoint c = store.open(d.toString());
                if (c.state().stepInEpoch() > 0 && c.state().epoch() >= 1) {
                    found = c;
                }
            }
        }
        assertNotNull(found, "no mid-epoch checkpoint after the first epoch");
        return found;
    }
}
