package io.ringmaster.orchestrator.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.job.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress while the gang trains (issue 19, part 1): with output that is not a terminal, progress lines
 * fed by the executors' heartbeats arrive before the first epoch ends.
 */
class LiveProgressTest {

    @TempDir
    Path dir;

    @Test
    void progressLinesArriveBeforeTheFirstEpochEnds() throws Exception {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(300, 100, 20, 8, 0.8, 2.5,
                5, 20));
        String data = dir.resolve("data").toString();
        DatasetStore.write(Storage.configuration(), data, r.dataset(), r.source(), r.split(), false);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        // the dl4j engine makes an epoch last several seconds; heartbeats (and so progress) every second
        TrainJob.run(JobConfig.parse("", "test", List.of(JobConfig.override("data", data), "workers=2",
                "train.epochs=1", "train.batch-size=100", "train.engine=dl4j", "run.progress-seconds=1",
                JobConfig.override("run.dir", dir.resolve("runs").toString()), "run.id=progress",
                "spark.conf={\"spark.executor.heartbeatInterval\": \"1s\"}")),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String console = buf.toString(StandardCharsets.UTF_8);
        // the first line says where the gang is; the next ones its rate and the time left as well
        List<String> lines = console.lines().toList();
        int epoch = lines.indexOf(lines.stream().filter(l -> l.startsWith("epoch   1 ")).findFirst().orElseThrow());
        List<String> progress = lines.subList(0, epoch).stream().filter(l -> l.startsWith("progress  ")).toList();
        assertTrue(progress.size() >= 2, console);
        assertTrue(progress.get(0).matches("progress  step [\\d,]+ of [\\d,]+ \\(epoch 1 of 1\\)"), console);
        assertTrue(progress.get(1).matches("progress  step [\\d,]+ of [\\d,]+ \\(epoch 1 of 1\\)  [\\d,]+ samples/s"
                + "  loss 0\\.\\d{4}  ETA epoch \\d+:\\d\\d, job \\d+:\\d\\d"), console);
    }
}
