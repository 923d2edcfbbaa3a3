package io.ringmaster.orchestrator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.job.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timeline (issue 19, part 5): a 2-worker run with {@code trace.timeline} writes one Chrome trace in which
 * each rank is a thread with one exchange per step it trained, step for step the same on both ranks; and
 * each epoch's record has every rank's step-time split.
 */
class TimelineTest {

    @TempDir
    Path dir;

    @Test
    void aTwoWorkerTimelineHasAnExchangePerStepOnBothRanks() throws Exception {
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(300, 100, 20, 8, 0.8, 2.5,
                5, 20));
        String data = dir.resolve("data").toString();
        DatasetStore.write(Storage.configuration(), data, r.dataset(), r.source(), r.split(), false);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TrainJob.Outcome o = TrainJob.run(JobConfig.parse("", "test", List.of(JobConfig.override("data", data),
                "workers=2", "train.epochs=2", "train.batch-size=100", "trace.timeline=true",
                JobConfig.override("run.dir", dir.resolve("runs").toString()), "run.id=traced")),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String console = buf.toString(StandardCharsets.UTF_8);
        Path run = dir.resolve("runs/traced");
        assertTrue(console.contains("timeline " + run.resolve("timeline.json")), console);

        JsonNode events = new ObjectMapper().readTree(run.resolve("timeline.json").toFile()).get("traceEvents");
        Map<Integer, List<Long>> exchangeSteps = new TreeMap<>();
        Map<Integer, Integer> evaluations = new TreeMap<>();
        Map<Integer, String> threads = new TreeMap<>();
        for (JsonNode e : events) {
            int rank = e.get("tid").asInt();
            if (e.get("ph").asText().equals("M") && e.get("name").asText().equals("thread_name")) {
                threads.put(rank, e.get("args").get("name").asText());
            } else if (e.get("name").asText().equals("exchange")) {
                assertTrue(e.get("dur").asDouble() >= 0 && e.get("ts").asLong() > 0, e.toString());
                exchangeSteps.computeIfAbsent(rank, k -> new ArrayList<>()).add(e.get("args").get("step").asLong());
            } else if (e.get("name").asText().equals("evaluation")) {
                evaluations.merge(rank, 1, Integer::sum);
            }
        }
        assertEquals(List.of(0, 1), new ArrayList<>(threads.keySet()), threads.toString());
        assertTrue(threads.get(1).startsWith("rank 1 ("), threads.toString());
        // one exchange per step on each rank, steps 1..N in order, N the run's steps
        List<Long> expected = LongStream.rangeClosed(1, o.summary().steps()).boxed().toList();
        assertEquals(expected, exchangeSteps.get(0));
        assertEquals(expected, exchangeSteps.get(1));
        assertEquals(Map.of(0, 2, 1, 2), evaluations);
        for (String phase : List.of("loader wait", "compute", "optimizer", "checkpoint")) {
            assertTrue(events.findValuesAsText("name").contains(phase), phase);
        }

        // every rank's split of the step time is in each epoch's record
        String epoch = Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.contains(
                "\"event\":\"epoch\"")).findFirst().orElseThrow();
        JsonNode ranks = new ObjectMapper().readTree(epoch).get("counters").get("ranks");
        assertEquals(2, ranks.size(), epoch);
        assertTrue(ranks.get(1).get("compute").asDouble() > 0, epoch);
        assertTrue(ranks.get(1).get("exchange").asDouble() >= ranks.get(1).get("exchangeWait").asDouble(), epoch);
    }
}
