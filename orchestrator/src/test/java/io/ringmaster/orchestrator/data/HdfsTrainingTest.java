package io.ringmaster.orchestrator.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringmaster.data.DatasetStore;
import io.ringmaster.data.Storage;
import io.ringmaster.data.SyntheticDataset;
import io.ringmaster.data.loader.Materializer;
import io.ringmaster.orchestrator.job.JobConfig;
import io.ringmaster.orchestrator.run.TrainJob;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The loader against a real HDFS: an in-process MiniDFSCluster on 127.0.0.1. Dataset, materialized
 * training Parquet and run directory all live on HDFS; a 2-worker gang trains one epoch from it.
 */
class HdfsTrainingTest {

    static MiniDFSCluster cluster;
    static String hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        Path base = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "hdfs");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        hdfs = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    /** A one-datanode cluster: replicate once, and never look for a replacement datanode when appending. */
    static final java.util.Map<String, String> ONE_DATANODE = java.util.Map.of("dfs.replication", "1",
            "dfs.client.block.write.replace-datanode-on-failure.enable", "false");

    @Test
    void materializeAndTrainTwoWorkersFromHdfs() throws Exception {
        Configuration conf = Storage.configuration(ONE_DATANODE);
        SyntheticDataset.Result r = SyntheticDataset.generate(new SyntheticDataset.Params(200, 150, 20, 8, 0.8, 2.5,
                5, 30));
        String data = hdfs + "/datasets/synthetic";
        DatasetStore.write(conf, data, r.dataset(), r.source(), r.split(), false);
        String train = hdfs + "/datasets/synthetic-train";
        Materializer.Result m = Materializer.fromDataset(conf, data, train, new Materializer.Options(1, 2, false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertTrue(m.manifest().rowGroups() >= 2, "row groups: " + m.manifest().rowGroups());

        JobConfig job = JobConfig.parse("", "test", List.of(
                JobConfig.override("data", data),
                JobConfig.override("loader.data", train),
                "workers=2", "train.epochs=1", "train.batch-size=100",
                JobConfig.override("run.dir", hdfs + "/runs"), "run.id=on-hdfs"));
        job.hadoop.putAll(ONE_DATANODE);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TrainJob.run(job, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("loader: streaming " + train), out);
        assertTrue(out.contains("epoch   1  loss"), out);

        FileSystem fs = FileSystem.get(java.net.URI.create(hdfs), conf);
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(hdfs + "/runs/on-hdfs/summary.json"))) {
            JsonNode summary = new ObjectMapper().readTree(in);
            assertEquals(2, summary.get("workers").asInt());
            assertEquals(1, summary.get("epochs").asInt());
        }
    }
}
