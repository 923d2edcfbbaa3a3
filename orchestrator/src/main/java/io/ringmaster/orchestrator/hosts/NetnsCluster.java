package io.ringmaster.orchestrator.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts on this machine, for tests and {@code bench allreduce --hosts}: {@code scripts/netns-cluster.sh}
 * driven from Java. Host k is the network namespace
 * {@code <prefix>-hk} with address 10.77.0.(10+k), its link shaped to the given rate; commands run on a
 * host through {@code ip netns exec}. {@link #close()} kills every process of every host and removes the
 * namespaces, whatever happened.
 */
public final class NetnsCluster implements AutoCloseable {

    private final Path script;
    private final String prefix;
    private final List<Process> started = new ArrayList<>();

    private NetnsCluster(Path script, String prefix) {
        this.script = script;
        this.prefix = prefix;
    }

    /** The script in a checkout whose module directory (orchestrator/, as tests run) or root is {@code dir}. */
    public static Path script(Path dir) {
        Path here = dir.resolve("scripts/netns-cluster.sh");
        return java.nio.file.Files.exists(here) ? here : dir.toAbsolutePath().getParent().resolve(
                "scripts/netns-cluster.sh");
    }

    /** Whether this machine lets the tests make namespaces (root with CAP_NET_ADMIN, and {@code ip}). */
    public static boolean permitted() {
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

    /** Makes hosts {@code <prefix>-h0..} with links of {@code linkGbit} Gbit/s, replacing any of that prefix. */
    public static NetnsCluster up(Path script, String prefix, int hosts, double linkGbit) throws IOException,
            InterruptedException {
        if (!java.nio.file.Files.isExecutable(script)) {
            throw new IOException(script + " not found or not executable (run from the checkout's root)");
        }
        NetnsCluster c = new NetnsCluster(script, prefix);
        String out = run(script.toString(), "up", "--hosts", String.valueOf(hosts), "--link-gbit",
                String.valueOf(linkGbit), "--prefix", prefix);
        if (!out.contains(hosts + " host(s)")) {
            c.close();
            throw new IOException("netns-cluster up: " + out.strip());
        }
        return c;
    }

    public String address(int host) {
        return "10.77.0." + (10 + host);
    }

    public String namespace(int host) {
        return prefix + "-h" + host;
    }

    /** Starts {@code command} on host {@code host}; it is killed at {@link #close()} if still running. */
    public Process start(int host, List<String> command) throws IOException {
        return start(host, command, null);
    }

    /** As {@link #start(int, List)}, with stderr to {@code errors} (null: merged into stdout). */
    public Process start(int host, List<String> command, java.io.File errors) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full);
        if (errors == null) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(ProcessBuilder.Redirect.appendTo(errors));
        }
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Kills every process running on host {@code host}, as losing the machine would; returns how many. */
    public int killAll(int host) throws IOException, InterruptedException {
        int n = 0;
        for (String pid : run("ip", "netns", "pids", namespace(host)).split("\\s+")) {
            if (!pid.isBlank()) {
                run("kill", "-9", pid.trim());
                n++;
            }
        }
        return n;
    }

    /** Takes host {@code host}'s link down ({@code up} false) or up again: its processes live on, unreachable. */
    public void link(int host, boolean up) throws IOException, InterruptedException {
        run("ip", "-n", namespace(host), "link", "set", "eth0", up ? "up" : "down");
    }

    /** The namespaces of this cluster that exist now. */
    public List<String> namespaces() throws IOException, InterruptedException {
        List<String> ours = new ArrayList<>();
        for (String line : run(script.toString(), "status", "--prefix", prefix).split("\n")) {
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
        run(script.toString(), "down", "--prefix", prefix);
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
