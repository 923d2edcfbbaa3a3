package io.ringmaster.workers.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ringmaster.data.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints under {@code <run dir>/checkpoints/<global step>/}: the model with its optimizer state
 * and step as its engine saves it ({@code model.zip}; for a DL4J graph, DL4J's ModelSerializer), the
 * training state ({@code state.json}), the resolved job ({@code job.yaml}), and {@code manifest.json} with the
 * SHA-256 of each, then the commit marker {@code _COMMITTED}, written last. On stores with an atomic
 * directory rename (local files, HDFS) everything is written under a temporary name first and renamed
 * into place; on object stores (s3a, wasb, abfs) the marker alone commits. A checkpoint counts only
 * when its marker is present and every checksum matches; {@link #newest} skips others with a warning
 * naming them. The newest {@code keep} are kept, and the newest taken at an epoch end.
 */
public final class CheckpointStore {

    public static final String DIR = "checkpoints";
    public static final String MARKER = "_COMMITTED";
    static final String MODEL = "model.zip";
    static final String STATE = "state.json";
    static final String JOB = "job.yaml";
    static final String MANIFEST = "manifest.json";
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Test hook: a crash between writing the files and committing them. */
    public interface CrashPoint {
        CrashPoint NONE = () -> {
        };

        void beforeCommit() throws IOException;
    }

    private final Configuration conf;
    private final Path root;
    private final int keep;
    private final CrashPoint crash;

    public CheckpointStore(Configuration conf, String runDirUri, int keep) {
        this(conf, runDirUri, keep, CrashPoint.NONE);
    }

    public CheckpointStore(Configuration conf, String runDirUri, int keep, CrashPoint crash) {
        if (keep < 1) {
            throw new IllegalArgumentException("checkpoint.keep must be >= 1, got " + keep);
        }
        this.conf = conf;
        this.root = new Path(Storage.path(runDirUri), DIR);
        this.keep = keep;
        this.crash = crash;
    }

    /** Writes and commits one checkpoint, then drops all but the newest {@code keep}. */
    public Path save(byte[] model, CheckpointState state, String jobYaml) throws IOException {
        FileSystem fs = Storage.fs(root, conf);
        Path target = new Path(root, String.valueOf(state.globalStep()));
        boolean atomicRename = switch (String.valueOf(root.toUri().getScheme())) {
            case "file", "hdfs", "viewfs" -> true;
            default -> false;
        };
        Path dir = atomicRename ? new Path(root, ".tmp-" + state.globalStep() + "-" + UUID.randomUUID()) : target;
        if (fs.exists(target)) {
            fs.delete(target, true); // an uncommitted leftover of a failed attempt at this step
        }
        fs.mkdirs(dir);
        try {
            write(fs, dir, model, state, jobYaml);
        } catch (IOException | RuntimeException e) {
            // a write that failed (a full disk, a lost connection) leaves nothing behind to keep the disk full
            try {
                fs.delete(dir, true);
            } catch (IOException | RuntimeException ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        }
        if (atomicRename && !fs.rename(dir, target)) {
            fs.delete(dir, true);
            throw new IOException("cannot commit checkpoint " + Storage.display(dir) + " as "
                    + Storage.display(target));
        }
        prune(fs, state.globalStep(), state.bestEpoch());
        return target;
    }

    private void write(FileSystem fs, Path dir, byte[] model, CheckpointState state, String jobYaml)
            throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(MODEL, model);
        files.put(STATE, JSON.writeValueAsBytes(state.toJson()));
        files.put(JOB, jobYaml.getBytes(StandardCharsets.UTF_8));
        Map<String, String> sums = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Storage.writeBytes(fs, new Path(dir, f.getKey()), f.getValue());
            sums.put(f.getKey(), Storage.sha256(f.getValue()));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("formatVersion", FORMAT_VERSION);
        manifest.put("step", state.globalStep());
        manifest.put("epoch", state.epoch());
        manifest.put("stepInEpoch", state.stepInEpoch());
        manifest.put("configHash", state.configHash());
        manifest.put("sha256", sums);
        Storage.writeBytes(fs, new Path(dir, MANIFEST), JSON.writeValueAsBytes(manifest));
        crash.beforeCommit();
        Storage.writeBytes(fs, new Path(dir, MARKER), new byte[0]);
    }

    /**
     * Keeps the newest {@code keep} checkpoints that verify ({@code justWritten} is trusted), the newest
     * one taken at an epoch end if none of those is (a smaller gang continues from there: mid-epoch state
     * belongs to the gang size that wrote it), and the one taken at the end of the best epoch so far
     * ({@code bestEpoch}; the model the run's figures name, as Hugging Face's Trainer keeps its best
     * checkpoint beside the newest), and deletes committed ones older than those. A directory without its
     * commit marker is never deleted here: it could not be verified, and it may be all a run has left.
     */
    private void prune(FileSystem fs, long justWritten, int bestEpoch) throws IOException {
        int kept = 0;
        boolean epochEnd = false;
        boolean best = false;
        for (long step : committedSteps(fs)) {
            Path dir = new Path(root, String.valueOf(step));
            int endOf = epochEndOf(fs, dir); // the epoch it ends, or -1 when taken mid-epoch
            if (kept < keep) {
                if (step == justWritten || verify(fs, dir) == null) {
                    kept++;
                    epochEnd |= endOf >= 0;
                    best |= endOf == bestEpoch;
                }
            } else if (!epochEnd && fs.exists(new Path(dir, MARKER)) && endOf >= 0 && verify(fs, dir) == null) {
                epochEnd = true;
                best |= endOf == bestEpoch;
            } else if (!best && endOf == bestEpoch && fs.exists(new Path(dir, MARKER)) && verify(fs, dir) == null) {
                best = true;
            } else if (fs.exists(new Path(dir, MARKER))) {
                fs.delete(dir, true);
            }
        }
    }

    /** The epoch a checkpoint taken at an epoch end ends; -1 for one taken mid-epoch or unreadable. */
    private static int epochEndOf(FileSystem fs, Path dir) {
        try {
            Map<?, ?> manifest = JSON.readValue(Storage.readBytes(fs, new Path(dir, MANIFEST)), Map.class);
            return manifest.get("stepInEpoch") instanceof Number n && n.intValue() == 0
                    && manifest.get("epoch") instanceof Number e ? e.intValue() : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Deletes the temporary directories of checkpoint writes that never finished ({@code .tmp-*}, left by
     * a killed or failed writer); call it only while no job writes into this run. Returns what it removed.
     */
    public List<String> removeUnfinishedWrites() throws IOException {
        FileSystem fs = Storage.fs(root, conf);
        List<String> removed = new ArrayList<>();
        if (!fs.exists(root)) {
            return removed;
        }
        for (FileStatus st : fs.listStatus(root)) {
            if (st.isDirectory() && st.getPath().getName().startsWith(".tmp-")) {
                fs.delete(st.getPath(), true);
                removed.add(Storage.display(st.getPath()));
            }
        }
        return removed;
    }

    /** Steps of directories with a commit marker, newest first (not yet verified). */
    private List<Long> committedSteps(FileSystem fs) throws IOException {
        List<Long> steps = new ArrayList<>();
        if (!fs.exists(root)) {
            return steps;
        }
        for (FileStatus st : fs.listStatus(root)) {
            String name = st.getPath().getName();
            if (st.isDirectory() && name.matches("\\d+")) {
                steps.add(Long.parseLong(name));
            }
        }
        steps.sort((a, b) -> Long.compare(b, a));
        return steps;
    }

    /**
     * The newest complete checkpoint, verified; partial or corrupt ones are skipped, each with a
     * warning in {@code warnings} that names it (for the caller to report once).
     */
    public Optional<Checkpoint> newest(List<String> warnings) throws IOException {
        return newest(warnings, s -> true);
    }

    /** As {@link #newest(List)}, among the checkpoints whose state passes {@code usable}. */
    public Optional<Checkpoint> newest(List<String> warnings, java.util.function.Predicate<CheckpointState> usable)
            throws IOException {
        FileSystem fs = Storage.fs(root, conf);
        for (long step : committedSteps(fs)) {
            Path dir = new Path(root, String.valueOf(step));
            String problem = verify(fs, dir);
            if (problem == null) {
                CheckpointState state = readState(fs, dir);
                if (usable.test(state)) {
                    return Optional.of(new Checkpoint(dir, state));
                }
                continue;
            }
            warnings.add("skipping checkpoint " + Storage.display(dir) + ": " + problem); // the caller reports them
        }
        return Optional.empty();
    }

    /** Null when complete and intact, else what is wrong. */
    private String verify(FileSystem fs, Path dir) {
        try {
            if (!fs.exists(new Path(dir, MARKER))) {
                return "no " + MARKER + " marker (the write did not finish)";
            }
            Map<?, ?> manifest = JSON.readValue(Storage.readBytes(fs, new Path(dir, MANIFEST)), Map.class);
            Object version = manifest.get("formatVersion");
            if (!(version instanceof Number n) || n.intValue() != FORMAT_VERSION) {
                return "format version " + version + ", this build reads " + FORMAT_VERSION;
            }
            Map<?, ?> sums = (Map<?, ?>) manifest.get("sha256");
            for (String f : List.of(MODEL, STATE, JOB)) {
                Object want = sums == null ? null : sums.get(f);
                Path p = new Path(dir, f);
                if (!fs.exists(p)) {
                    return f + " is missing";
                }
                if (want == null || !want.equals(Storage.sha256(Storage.readBytes(fs, p)))) {
                    return f + ": SHA-256 does not match the manifest";
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** The checkpoint in {@code dirUri}, verified (marker and checksums), or a clear error. */
    public Checkpoint open(String dirUri) throws IOException {
        FileSystem fs = Storage.fs(root, conf);
        Path dir = Storage.path(dirUri);
        String problem = verify(fs, dir);
        if (problem != null) {
            throw new IOException("checkpoint " + Storage.display(dir) + ": " + problem);
        }
        return new Checkpoint(dir, readState(fs, dir));
    }

    @SuppressWarnings("unchecked")
    private static CheckpointState readState(FileSystem fs, Path dir) throws IOException {
        Path file = new Path(dir, STATE);
        try {
            return CheckpointState.fromJson(JSON.readValue(Storage.readBytes(fs, file), Map.class));
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(Storage.display(file) + ": " + e.getMessage(), e);
        }
    }

    /** The model as the engine saved it ({@code model.zip}; the model spec restores an engine from it). */
    public byte[] loadModel(Checkpoint c) throws IOException {
        return Storage.readBytes(Storage.fs(root, conf), new Path(c.dir(), MODEL));
    }

    public String loadJob(Checkpoint c) throws IOException {
        return new String(Storage.readBytes(Storage.fs(root, conf), new Path(c.dir(), JOB)), StandardCharsets.UTF_8);
    }



}
