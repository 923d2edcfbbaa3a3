package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where credentials come from: Hadoop's files, then the environment, then the job, each overriding the last. */
class StorageConfigurationTest {

    @TempDir
    Path dir;

    @Test
    void hadoopFilesThenEnvironmentThenJob() throws Exception {
        Files.writeString(dir.resolve("core-site.xml"), "<configuration>"
                + "<property><name>fs.s3a.endpoint</name><value>http://from-core-site</value></property>"
                + "<property><name>fs.azure.account.key.acct.blob.core.windows.net</name>"
                + "<value>site-key</value></property>"
                + "</configuration>");
        Map<String, String> env = Map.of("HADOOP_CONF_DIR", dir.toString(), "AZURE_STORAGE_ACCOUNT", "acct",
                "AZURE_STORAGE_KEY", "env-key");
        Configuration c = Storage.configuration(Map.of(), env);
        assertEquals("http://from-core-site", c.get("fs.s3a.endpoint"));
        assertEquals("env-key", c.get("fs.azure.account.key.acct.blob.core.windows.net"), "environment over files");
        assertEquals("env-key", c.get("fs.azure.account.key.acct.dfs.core.windows.net"));

        Configuration job = Storage.configuration(Map.of("fs.azure.account.key.acct.blob.core.windows.net", "job-key",
                "fs.s3a.endpoint", "http://from-job"), env);
        assertEquals("job-key", job.get("fs.azure.account.key.acct.blob.core.windows.net"), "job over environment");
        assertEquals("http://from-job", job.get("fs.s3a.endpoint"));

        Configuration none = Storage.configuration(Map.of(), Map.of());
        assertNull(none.get("fs.azure.account.key.acct.blob.core.windows.net"));
        assertEquals("bytebuffer", none.get("fs.s3a.fast.upload.buffer"));
    }
}
