package io.ringmaster.orchestrator.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/** An in-process HDFS: MiniDFSCluster with one datanode on 127.0.0.1. */
final class MiniHdfs implements TestStore {

    private final MiniDFSCluster cluster;

    private MiniHdfs(MiniDFSCluster cluster) {
        this.cluster = cluster;
    }

    static MiniHdfs start() throws IOException {
        Path base = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "hdfs");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        for (String key : new String[] {"dfs.namenode.rpc-address", "dfs.datanode.address",
                "dfs.datanode.http.address", "dfs.datanode.ipc.address", "dfs.namenode.http-address"}) {
            conf.set(key, "127.0.0.1:0");
        }
        MiniDFSCluster c = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        c.waitActive();
        return new MiniHdfs(c);
    }

    @Override
    public String name() {
        return "hdfs";
    }

    @Override
    public String root() {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    /** One datanode: replicate once, and never look for a replacement datanode when appending. */
    @Override
    public Map<String, String> hadoop() {
        return Map.of("dfs.replication", "1", "dfs.client.block.write.replace-datanode-on-failure.enable", "false");
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }
}
