package io.ringmaster.orchestrator.storage;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Azure Blob served by Azurite (from npm, installed under target/azurite by the build) as a child
 * process. Hadoop reaches it through wasb in emulator mode, which talks to the development storage
 * account at 127.0.0.1:10000 only, so Azurite must get that port.
 */
final class Azurite implements TestStore {

    static final int PORT = 10000;
    static final String CONTAINER = "ringmaster";

    private final ChildServer server;

    private Azurite(ChildServer server) {
        this.server = server;
    }

    static Azurite start() throws IOException {
        Path main = Path.of("target", "azurite", "node_modules", "azurite", "dist", "src", "blob", "main.js")
                .toAbsolutePath();
        if (!Files.exists(main)) {
            throw new IOException(main + " is missing: run the tests through Maven, which installs Azurite with npm");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", PORT), 200);
            throw new IOException("port " + PORT + " is taken: wasb's emulator mode only talks to 127.0.0.1:" + PORT);
        } catch (java.net.ConnectException free) {
            // good: nothing listens there
        }
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "azurite");
        ChildServer s = ChildServer.start(List.of("node", main.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                String.valueOf(PORT), "--location", dir.toString(), "--skipApiVersionCheck", "--loose",
                "--disableTelemetry"), dir.resolve("azurite.log"), PORT, 60);
        return new Azurite(s);
    }

    @Override
    public String name() {
        return "azure";
    }

    @Override
    public String root() {
        return "wasb://" + CONTAINER + "@storageemulator";
    }

    @Override
    public Map<String, String> hadoop() {
        return Map.of("fs.azure.storage.emulator.account.name", "storageemulator");
    }

    @Override
    public void close() {
        server.close();
    }
}
