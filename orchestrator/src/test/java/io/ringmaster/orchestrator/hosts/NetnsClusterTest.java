package io.ringmaster.orchestrator.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The hosts fixture itself (issue 18, part 1): three namespaces reach each other over their shaped
 * links at about the link's rate, and closing the cluster leaves no namespace or process behind.
 */
class NetnsClusterTest {

    @Test
    void threeHostsReachEachOtherAtTheLinkRateAndLeaveNothingBehind() throws Exception {
        Assumptions.assumeTrue(NetnsCluster.permitted(),
                "network namespaces cannot be made here (needs root / CAP_NET_ADMIN): the hosts fixture is skipped");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> probe = List.of(java, "-cp", System.getProperty("java.class.path"),
                LinkProbe.class.getName());
        NetnsCluster hosts = NetnsCluster.up(NetnsCluster.script(Path.of(System.getProperty("user.dir"))),
                "rmct", 3, 0.5);
        try {
            assertEquals(List.of("rmct-h0", "rmct-h1", "rmct-h2", "rmct-sw"),
                    hosts.namespaces().stream().sorted().toList());
            for (int[] pair : new int[][] {{0, 2}, {2, 1}}) {
                Process server = hosts.start(pair[1], concat(probe, "serve", hosts.address(pair[1]), "7000"));
                BufferedReader s = new BufferedReader(new InputStreamReader(server.getInputStream(),
                        StandardCharsets.UTF_8));
                assertEquals("listening", s.readLine());
                Process client = hosts.start(pair[0], concat(probe, "send", hosts.address(pair[1]), "7000", "16"));
                assertTrue(client.waitFor(60, TimeUnit.SECONDS), "host " + pair[0] + " to host " + pair[1]);
                String line = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                String[] f = line.split(" ");
                assertEquals("sent", f[0], line);
                assertEquals(16L << 20, Long.parseLong(f[1]), line);
                double gbit = (16L << 20) * 8 / Double.parseDouble(f[3]) / 1e9;
                // the link is shaped to 0.5 Gbit/s: much faster means the shaping is missing
                assertTrue(gbit < 0.6, "host " + pair[0] + " -> " + pair[1] + " at " + gbit + " Gbit/s");
                assertTrue(gbit > 0.2, "host " + pair[0] + " -> " + pair[1] + " at " + gbit + " Gbit/s");
                server.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            hosts.close();
        }
        assertEquals(List.of(), hosts.namespaces(), "namespaces left behind");
        assertEquals(List.of(), ours("rmct"), "ip netns list still shows the hosts");
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    /** Namespaces whose names start with {@code prefix}, as {@code ip netns list} shows them. */
    static List<String> ours(String prefix) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith(prefix + "-")).toList();
    }
}
