package io.ringmaster.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.Base64;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.azurebfs.AzureBlobFileSystem;
import org.apache.hadoop.fs.azurebfs.SecureAzureBlobFileSystem;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.apache.hadoop.fs.azure.NativeAzureFileSystem;
import org.junit.jupiter.api.Test;

/**
 * abfs(s):// has no local emulator (Azurite speaks the Blob API, not ADLS Gen2's DFS API), so only its
 * wiring is tested: the schemes resolve to hadoop-azure's file systems, and settings from the job's
 * {@code hadoop} section reach a file system that initialises without contacting Azure.
 */
class AbfsWiringTest {

    @Test
    void everyObjectStoreSchemeResolvesToItsConnector() throws Exception {
        Configuration conf = Storage.configuration();
        assertEquals(AzureBlobFileSystem.class, FileSystem.getFileSystemClass("abfs", conf));
        assertEquals(SecureAzureBlobFileSystem.class, FileSystem.getFileSystemClass("abfss", conf));
        assertEquals(NativeAzureFileSystem.class, FileSystem.getFileSystemClass("wasb", conf));
        assertEquals(NativeAzureFileSystem.Secure.class, FileSystem.getFileSystemClass("wasbs", conf));
        assertEquals(S3AFileSystem.class, FileSystem.getFileSystemClass("s3a", conf));
    }

    @Test
    void jobSettingsReachAnAbfsFileSystem() throws Exception {
        String key = Base64.getEncoder().encodeToString(new byte[64]);
        Configuration conf = Storage.configuration(Map.of(
                "fs.azure.account.auth.type.acct.dfs.core.windows.net", "SharedKey",
                "fs.azure.account.key.acct.dfs.core.windows.net", key));
        URI uri = URI.create("abfss://container@acct.dfs.core.windows.net/");
        try (FileSystem fs = FileSystem.newInstance(uri, conf)) {
            assertEquals(SecureAzureBlobFileSystem.class, fs.getClass());
            assertEquals(URI.create("abfss://container@acct.dfs.core.windows.net"), fs.getUri());
            assertEquals(key, fs.getConf().get("fs.azure.account.key.acct.dfs.core.windows.net"));
        }
    }
}
