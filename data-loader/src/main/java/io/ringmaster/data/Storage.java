package io.ringmaster.data;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Paths and file systems through Hadoop's FileSystem API, so every location Ringmaster reads or
 * writes can be local ({@code file://} or a plain path), HDFS, S3 or Azure alike.
 */
public final class Storage {

    private Storage() {
    }

    /**
     * A Hadoop configuration for this process: Ringmaster's defaults, then the cluster's Hadoop files
     * ({@code core-site.xml}, {@code hdfs-site.xml} in {@code $HADOOP_CONF_DIR}), then credentials from
     * the environment, then {@code overrides} (the job's {@code hadoop} section), each overriding the
     * one before. Whatever the files say, local files go through the raw local file system (no
     * {@code .crc} side files), and so s3a buffers uploads in memory ({@code bytebuffer}, or
     * {@code array} if asked): its disk buffer asks Hadoop for the checksummed local file system,
     * which the raw one is not. Credential values are never logged.
     */
    public static Configuration configuration(Map<String, String> overrides) {
        return configuration(overrides, System.getenv());
    }

    /**
     * As {@link #configuration(Map)}, with the environment given. From the environment: AWS keys
     * ({@code AWS_ACCESS_KEY_ID}, ...) are read by s3a's own default credential chain; an Azure
     * storage account key ({@code AZURE_STORAGE_ACCOUNT} + {@code AZURE_STORAGE_KEY}) is set for that
     * account's Blob (wasb) and Data Lake (abfs) endpoints.
     */
    public static Configuration configuration(Map<String, String> overrides, Map<String, String> env) {
        Configuration conf = new Configuration();
        String confDir = env.get("HADOOP_CONF_DIR");
        if (confDir != null && !confDir.isBlank()) {
            for (String f : new String[] {"core-site.xml", "hdfs-site.xml"}) {
                java.io.File file = new java.io.File(confDir, f);
                if (file.isFile()) {
                    conf.addResource(new Path(file.toURI()));
                }
            }
        }
        conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
        conf.setBoolean("fs.file.impl.disable.cache", true);
        if (conf.get("fs.s3a.fast.upload.buffer") == null || !conf.get("fs.s3a.fast.upload.buffer").equals("array")) {
            conf.set("fs.s3a.fast.upload.buffer", "bytebuffer");
        }
        String account = env.get("AZURE_STORAGE_ACCOUNT");
        String key = env.get("AZURE_STORAGE_KEY");
        if (account != null && !account.isBlank() && key != null && !key.isBlank()) {
            for (String endpoint : new String[] {".blob.core.windows.net", ".dfs.core.windows.net"}) {
                conf.set("fs.azure.account.key." + account + endpoint, key);
            }
        }
        if (overrides != null) {
            overrides.forEach(conf::set);
        }
        return conf;
    }

    public static Configuration configuration() {
        return configuration(Map.of());
    }

    /** A Hadoop path for a URI, or for a plain local path (made absolute). */
    public static Path path(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("empty path");
        }
        URI uri = URI.create(location.replace(" ", "%20"));
        if (uri.getScheme() == null || uri.getScheme().length() == 1) {
            return new Path("file", null, new File(location).getAbsoluteFile().toPath().normalize().toString());
        }
        return new Path(location);
    }

    public static FileSystem fs(Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open file system for " + path + ": " + e.getMessage(), e);
        }
    }

    /** A path as a user would write it: local files without the {@code file:} scheme. */
    public static String display(Path path) {
        URI uri = path.toUri();
        if ("file".equals(uri.getScheme())) {
            return uri.getPath();
        }
        return path.toString();
    }

    /** Hex SHA-256 of a file's bytes. */
    public static String sha256(FileSystem fs, Path file) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = fs.open(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    /** A whole (small) file's bytes. */
    public static byte[] readBytes(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }

    /** The java.nio path of {@code file} when {@code fs} is the local disk, else null. */
    public static java.nio.file.Path localPath(FileSystem fs, Path file) {
        if (fs instanceof org.apache.hadoop.fs.LocalFileSystem
                || fs instanceof org.apache.hadoop.fs.RawLocalFileSystem) {
            return java.nio.file.Path.of(fs.makeQualified(file).toUri());
        }
        return null;
    }

    /**
     * Creates {@code dir} and its parents, or fails naming it and, where the file system says, why (on
     * local disk Hadoop only answers false: java.nio is asked for the reason).
     */
    public static void mkdirs(FileSystem fs, Path dir) throws IOException {
        boolean ok;
        try {
            ok = fs.mkdirs(dir);
        } catch (IOException e) {
            throw UnwritableStorageException.classify(e, dir);
        }
        if (ok) {
            return;
        }
        java.nio.file.Path local = localPath(fs, dir);
        if (local == null) {
            throw UnwritableStorageException.of(dir, "cannot create the directory", null);
        }
        try {
            java.nio.file.Files.createDirectories(local);
        } catch (IOException e) {
            IOException c = UnwritableStorageException.classify(e, dir);
            throw c != e ? c : UnwritableStorageException.of(dir, "cannot create the directory (" + e + ")", e);
        }
    }

    /**
     * Writes {@code bytes} as {@code file}, replacing it. A full device or denied access comes back as
     * an {@link UnwritableStorageException} naming the file.
     */
    public static void writeBytes(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (java.io.OutputStream out = fs.create(file, true)) {
            out.write(bytes);
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw UnwritableStorageException.classify(e, file);
        }
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
