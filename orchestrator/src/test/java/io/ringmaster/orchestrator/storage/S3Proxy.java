package io.ringmaster.orchestrator.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * S3 served by s3proxy (Maven Central's jar-with-dependencies, copied to target/s3proxy by the build)
 * as a child process on 127.0.0.1, with AWS v2/v4 signatures checked and a filesystem back end.
 * Hadoop reaches it through s3a with path-style access.
 */
final class S3Proxy implements TestStore {

    static final String BUCKET = "ringmaster";
    static final String ACCESS = "ringmaster-access";
    static final String SECRET = "ringmaster-secret-key";

    private final ChildServer server;
    private final int port;

    private S3Proxy(ChildServer server, int port) {
        this.server = server;
        this.port = port;
    }

    static S3Proxy start() throws IOException {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IOException(jar + " is missing: run the tests through Maven, which copies it there");
        }
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "s3proxy");
        Files.createDirectories(dir.resolve("blobs").resolve(BUCKET));
        int port = ChildServer.freePort();
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS,
                "s3proxy.credential=" + SECRET,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("blobs")) + "\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        ChildServer s = ChildServer.start(List.of(java, "-Xmx256m", "-jar", jar.toString(), "--properties",
                conf.toString()), dir.resolve("s3proxy.log"), port, 60);
        return new S3Proxy(s, port);
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public String root() {
        return "s3a://" + BUCKET;
    }

    @Override
    public Map<String, String> hadoop() {
        return Map.of(
                "fs.s3a.endpoint", "http://127.0.0.1:" + port,
                "fs.s3a.path.style.access", "true",
                "fs.s3a.connection.ssl.enabled", "false",
                "fs.s3a.access.key", ACCESS,
                "fs.s3a.secret.key", SECRET,
                "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                "fs.s3a.directory.marker.retention", "keep",
                "fs.s3a.change.detection.version.required", "false",
                "fs.s3a.attempts.maximum", "2",
                "fs.s3a.retry.limit", "2");
    }

    @Override
    public void close() {
        server.close();
    }
}
