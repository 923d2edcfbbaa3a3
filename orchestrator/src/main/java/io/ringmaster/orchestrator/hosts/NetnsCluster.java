package io.ringmaster.orchestrator.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts for tests: {@code scripts/netns-cluster.sh} as a fixture. Host k is the network namespace
 * {@code <prefix>-hk} with address 10.77.0.(10+k), its link shaped to the given rate; commands run on a
 * host through {@code ip netns exec}. {@link #close()} kills every process of every host and removes the
 * namespaces, whatever happened.
 */
final class NetnsCluster implements AutoCloseable {

    static final Path SCRIPT = Path.of(System.getProperty("user.dir")).getParent().resolve("scripts/netns-cluster.sh");

    private final String prefix;
    private final int hosts;
    private final List<Process> started = new ArrayList<>();

    private NetnsCluster(String prefix, int hosts) {
        this.prefix = prefix;
        this.hosts = hosts;
    }

    /** Whether this machine lets the tests make namespaces (root with CAP_NET_ADMIN, and {@code ip}). */
    static boolean permitted() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "add", "rmprobe").redirectErrorStream(true).start();
            boolean ok = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            new ProcessBuilder("ip", "netns", "del", "rmprobe").redirectErrorStream(true).start()
                    .waitFor(10, TimeUnit.SECONDS);
            return ok;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static NetnsCluster up(String prefix, int hosts, double linkGbit) throws IOException, InterruptedException {
        NetnsCluster c = new NetnsCluster(prefix, hosts);
        String out = run(SCRIPT.toString(), "up", "--hosts", String.valueOf(hosts), "--link-gbit",
                String.valueOf(linkGbit), "--prefix", prefix);
        if (!out.contains(hosts + " host(s)")) {
            c.close();
            throw new IOException("netns-cluster up: " + out);
        }
        return c;
    }

    String address(int host) {
        return "10.77.0." + (10 + host);
    }

    String namespace(int host) {
        return prefix + "-h" + host;
    }

    int hosts() {
        return hosts;
    }

    /** Starts {@code command} on host {@code host}; it is killed at {@link #close()} if still running. */
    Process start(int host, List<String> command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    /** The namespaces of this cluster that exist now. */
    List<String> namespaces() throws IOException, InterruptedException {
        List<String> ours = new ArrayList<>();
        for (String line : run(SCRIPT.toString(), "status", "--prefix", prefix).split("\n")) {
            if (!line.isBlank()) {
                ours.add(line.trim());
            }
        }
        return ours;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        run(SCRIPT.toString(), "down", "--prefix", prefix);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no answer in 60 s");
        }
        return out;
    }
}
