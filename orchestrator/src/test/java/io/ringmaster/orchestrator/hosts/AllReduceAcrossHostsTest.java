package io.ringmaster.orchestrator.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringmaster.orchestrator.bench.AllReduceBenchmark;
import io.ringmaster.workers.ring.Compression;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code bench allreduce --hosts 2 --link-gbit 0.5 --mb 2}: two ranks on hosts of their own exchange
 * dense values and embedding rows, sealed and plain, over a shaped link, and the bench ends with its
 * summary line; the hosts are gone afterwards. Skipped where namespaces cannot be made.
 */
class AllReduceAcrossHostsTest {

    @Test
    void theRingRunsBetweenHostsSealedAndPlainNearTheLinkRateAndCleansUp() throws Exception {
        Assumptions.assumeTrue(NetnsCluster.permitted(),
                "network namespaces cannot be made here (needs root / CAP_NET_ADMIN): skipped");
        Path script = NetnsCluster.script(Path.of(System.getProperty("user.dir")));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new AllReduceBenchmark(List.of(), List.of(2), Compression.NONE, 1024, List.of(2), 0.5, script)
                .run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        for (String row : List.of("dense     no", "rows     no", "dense    yes", "rows    yes")) {
            assertTrue(out.contains(row), row + " missing:\n" + out);
        }
        String[] lines = out.strip().split("\n");
        Matcher m = Pattern.compile(
                "hosts: busbw at 2 MB = (\\d\\.\\d\\d) of the raw link rate \\(2 hosts, 0.5 Gbit/s\\)")
                .matcher(lines[lines.length - 1]);
        assertTrue(m.matches(), out);
        // a sealed ring over a 0.5 Gbit/s link is far from CPU-bound: well over half the raw stream's rate
        double r = Double.parseDouble(m.group(1));
        assertTrue(r > 0.5 && r < 1.3, out);
        assertEquals(List.of(), NetnsClusterTest.ours("rmb"), "hosts left behind");
    }
}
