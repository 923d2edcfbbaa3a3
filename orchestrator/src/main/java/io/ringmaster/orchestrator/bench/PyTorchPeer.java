package io.ringmaster.orchestrator.bench;

import io.ringmaster.data.Dataset;
import io.ringmaster.data.TestSplit;
import io.ringmaster.workers.train.UserItemIndex;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch reference NeuMF ({@code ../shared/peers/ncf_torch.py --sparse}: {@code nn.Embedding(sparse=True)}
 * with {@code SparseAdam} for the tables, one thread) run beside a benchmark on the same training
 * data, for a ratio measured in the same run. Never used by tests.
 */
final class PyTorchPeer {

    static final String NAME = "bench";
    /** Test users written for the peer's evaluation, which scores all of them in one tensor. */
    static final int MAX_TEST_USERS = 2000;

    private final Path script;

    PyTorchPeer(Path script) {
        this.script = script;
    }

    /**
     * The interpreter the script names ({@code #!/usr/bin/python3}: Debian's, where its python3-torch is;
     * a {@code python3} first on the PATH may be another), else {@code python3}.
     */
    String interpreter() {
        try {
            List<String> lines = Files.readAllLines(script, StandardCharsets.UTF_8);
            String first = lines.isEmpty() ? "" : lines.get(0);
            if (first.startsWith("#!")) {
                String[] words = first.substring(2).trim().split("\\s+");
                if (words.length > 0 && !words[0].endsWith("/env") && Files.isExecutable(Path.of(words[0]))) {
                    return words[0];
                }
            }
        } catch (IOException | RuntimeException e) {
            // no shebang to go by
        }
        return "python3";
    }

    /** Why the peer cannot run here, or null when it can. */
    String unavailable() {
        if (!Files.isRegularFile(script)) {
            return script + " not found";
        }
        try {
            Process p = new ProcessBuilder(interpreter(), "-c", "import torch").redirectErrorStream(true).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return interpreter() + " did not import torch within 120 s";
            }
            byte[] out = p.getInputStream().readAllBytes(); // a traceback at most: it fits the pipe
            if (p.exitValue() != 0) {
                String[] lines = new String(out, StandardCharsets.UTF_8).strip().split("\n");
                return interpreter() + " cannot import torch (" + lines[lines.length - 1]
                        + "); see ../shared/peers/README.md";
            }
            return null;
        } catch (IOException e) {
            return interpreter() + " not found: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Writes {@code ds} as the NCF split the peer reads into {@code dir}: every training interaction, and
     * the first {@value #MAX_TEST_USERS} test users with 99 negatives each (the dataset's, topped up with
     * items the user never trained on when it has fewer).
     */
    static void writeSplit(Dataset ds, UserItemIndex seen, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(NAME + ".train.rating"))) {
            int[] u = ds.train().users();
            int[] it = ds.train().items();
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < u.length; i++) {
                b.setLength(0);
                b.append(u[i]).append('\t').append(it[i]).append("\t1\t0\n");
                w.write(b.toString());
            }
        }
        TestSplit t = ds.test();
        SplittableRandom rng = new SplittableRandom(1);
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(NAME + ".test.negative"))) {
            for (int row = 0; row < Math.min(MAX_TEST_USERS, t.size()); row++) {
                StringBuilder b = new StringBuilder();
                b.append('(').append(t.users()[row]).append(',').append(t.items()[row]).append(')');
                int k = 0;
                for (int j = t.negOffsets()[row]; j < t.negOffsets()[row + 1] && k < 99; j++, k++) {
                    b.append('\t').append(t.negItems()[j]);
                }
                for (; k < 99; k++) {
                    b.append('\t').append(seen.drawUnseen(t.users()[row], rng));
                }
                w.write(b.append('\n').toString());
            }
        }
    }

    /** Trains the peer on the split in {@code dir}; returns its samples/s (training time only, as it reports). */
    double samplesPerSecond(Path dir, int batch, int epochs, PrintStream out) throws IOException {
        List<String> cmd = List.of(interpreter(), script.toString(), dir.toString(), NAME, "--epochs",
                String.valueOf(epochs), "--batch", String.valueOf(batch), "--threads", "1", "--seed", "1", "--sparse");
        out.println("peer run: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                out.println("  pytorch | " + line);
            }
        }
        try {
            if (p.waitFor() != 0) {
                throw new IOException("the PyTorch peer failed (exit " + p.exitValue() + "): "
                        + (lines.isEmpty() ? "no output" : lines.get(lines.size() - 1)));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the PyTorch peer ran", e);
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("samples_per_s=([0-9.]+)")
                    .matcher(lines.get(i));
            if (m.find()) {
                return Double.parseDouble(m.group(1));
            }
        }
        throw new IOException("the PyTorch peer printed no samples_per_s line");
    }
}
