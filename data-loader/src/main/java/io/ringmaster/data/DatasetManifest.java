package io.ringmaster.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a dataset directory: what the data is (counts, schema), where it came
 * from (source files and their SHA-256), and the SHA-256 of every file written. It is written last,
 * so a directory without one is not a dataset.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetManifest(
        String format,
        int version,
        String name,
        String createdAt,
        Source source,
        Counts counts,
        String split,
        Map<String, List<ColumnSpec>> schema,
        Map<String, FileEntry> files,
        String checksum) {

    public static final String FORMAT = "ringmaster-dataset";
    public static final int VERSION = 1;

    /** Where the data came from: input location, format and a SHA-256 per source file. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(String uri, String format, Map<String, String> sha256, Map<String, Object> parameters) {
    }

    public record Counts(int users, int items, long trainInteractions, int testUsers, long testNegatives,
                         int minNegativesPerUser, int maxNegativesPerUser) {
    }

    public record ColumnSpec(String name, String type, boolean nullable) {
    }

    public record FileEntry(long bytes, long rows, String sha256) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    public static DatasetManifest fromJson(byte[] json, String where) {
        try {
            return JSON.readValue(json, DatasetManifest.class);
        } catch (IOException e) {
            throw new DataFormatException(where + ": unreadable dataset manifest: " + e.getMessage(), e);
        }
    }
}
