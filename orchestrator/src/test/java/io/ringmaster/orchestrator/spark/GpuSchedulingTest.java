package io.ringmaster.orchestrator.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU scheduling without GPUs: a Spark local-cluster whose worker discovers two fake GPU addresses
 * through a custom discovery script; each of the 2 gang tasks asks for one GPU, gets a distinct
 * address from TaskContext.resources(), and the worker picks it up (on the CPU backend it records
 * the address and computes on the CPU).
 */
class GpuSchedulingTest {

    @TempDir
    Path dir;

    @Test
    void eachGangTaskGetsADistinctGpuAddressAndTheWorkerPicksItUp() throws Exception {
        Path data = dir.resolve("data");
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(150, 100, 20, 8, 0.8, 2.5,
                3, 20));
        DatasetStore.write(Storage.configuration(), data.toString(), r.dataset(), r.source(), r.split(), false);
        Path script = dir.resolve("fake-gpus.sh");
        Files.writeString(script, "#!/usr/bin/env bash\necho '{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

        String jvmFlags = String.join(" ", JvmFlags.moduleFlags());
        JobConfig job = JobConfig.parse("", "test", List.of(
                JobConfig.override("data", data.toString()), "workers=2", "train.epochs=1", "train.batch-size=100",
                JobConfig.override("run.dir", dir.resolve("runs").toString()), "run.id=gpus",
                "spark.master=local-cluster[1,2,1536]"));
        Map<String, String> gpus = new LinkedHashMap<>();
        gpus.put("spark.worker.resource.gpu.amount", "2");
        gpus.put("spark.worker.resource.gpu.discoveryScript", script.toString());
        gpus.put("spark.executor.resource.gpu.amount", "2");
        gpus.put("spark.executor.resource.gpu.discoveryScript", script.toString());
        gpus.put("spark.task.resource.gpu.amount", "1");
        gpus.put("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        gpus.put("spark.executor.extraJavaOptions", jvmFlags + " -Djava.io.tmpdir="
                + System.getProperty("java.io.tmpdir"));
        gpus.put("spark.local.dir", dir.resolve("spark-local").toString());
        job = job.withSparkConf(gpus);

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TrainJob.run(job, new PrintStream(buf, true, StandardCharsets.UTF_8));
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("runs/gpus/summary.json").toFile());
        Set<String> devices = new HashSet<>();
        summary.get("workerDevices").forEach(d -> devices.add(d.asText()));
        assertEquals(2, devices.size(), summary.toString());
        assertTrue(devices.stream().anyMatch(d -> d.contains("gpu 0 assigned")), devices.toString());
        assertTrue(devices.stream().anyMatch(d -> d.contains("gpu 1 assigned")), devices.toString());
    }
}
