package io.ringmaster.workers.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A JSON-lines metrics file on any Hadoop file system ({@code metrics.jsonl} in the run directory).
 * Each record, stamped with its time, is appended and flushed as one complete line, so a reader tailing the
 * file sees whole records; stores without append (object stores) get the whole file rewritten instead.
 */
public final class MetricsLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path file;
    private final StringBuilder all = new StringBuilder();
    private boolean appendable = true;

    public MetricsLog(Configuration conf, Path file) {
        this.file = file;
        try {
            this.fs = file.getFileSystem(conf);
            if (fs.exists(file)) {
                try (var in = fs.open(file)) {
                    all.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open metrics file " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Appends {@code record} with the wall-clock time it was written ({@code "time"}, epoch milliseconds). */
    public synchronized void write(Map<String, Object> record) {
        String line;
        Map<String, Object> timed = new java.util.LinkedHashMap<>(record);
        timed.putIfAbsent("time", System.currentTimeMillis());
        try {
            line = JSON.writeValueAsString(timed) + "\n";
        } catch (IOException e) {
            throw new IllegalArgumentException("metrics record is not serialisable: " + record, e);
        }
        all.append(line);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            if (appendable && fs.exists(file)) {
                try (OutputStream out = fs.append(file)) {
                    out.write(bytes);
                    return;
                } catch (UnsupportedOperationException e) {
                    appendable = false; // object stores: rewrite the whole file below
                }
            }
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            IOException c = io.ringmaster.data.UnwritableStorageException.classify(e, file);
            throw new UncheckedIOException(c != e ? c.getMessage() : "cannot append to metrics file " + file + ": "
                    + e.getMessage(), c);
        }
        try (OutputStream out = fs.create(file, true)) {
            out.write(all.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            IOException c = io.ringmaster.data.UnwritableStorageException.classify(e, file);
            throw new UncheckedIOException(c != e ? c.getMessage() : "cannot write metrics file " + file + ": "
                    + e.getMessage(), c);
        }
    }
}
