package io.ringmaster.orchestrator.storage;

import java.util.Map;

/** A real storage server started by a test on 127.0.0.1: where its root is, and the Hadoop settings to reach it. */
interface TestStore extends AutoCloseable {

    String name();

    /** A writable root URI, e.g. {@code hdfs://127.0.0.1:PORT} or {@code s3a://bucket}. */
    String root();

    Map<String, String> hadoop();

    @Override
    void close();
}
