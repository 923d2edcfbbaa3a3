package io.ringmaster.data.loader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ringmaster.data.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code _ringmaster.json} beside materialized training Parquet: where it came from, its schema, and
 * its row and row-group counts (the loader ignores files starting with {@code _}).
 */
public record LoaderManifest(int formatVersion, String source, List<String> columns, long rows, int rowGroups,
                             long rowGroupBytes, int filesWritten) {

    public static final String FILE = "_ringmaster.json";
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Configuration conf, Path dir) throws IOException {
        FileSystem fs = Storage.fs(dir, conf);
        try (OutputStream out = fs.create(new Path(dir, FILE), true)) {
            out.write(JSON.writeValueAsString(this).getBytes(StandardCharsets.UTF_8));
        }
    }

    public static LoaderManifest read(Configuration conf, Path dir) throws IOException {
        FileSystem fs = Storage.fs(dir, conf);
        try (InputStream in = fs.open(new Path(dir, FILE))) {
            return JSON.readValue(in, LoaderManifest.class);
        }
    }
}
