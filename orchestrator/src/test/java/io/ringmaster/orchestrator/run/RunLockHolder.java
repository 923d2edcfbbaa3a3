package io.ringmaster.orchestrator.run;

import io.ringmaster.data.Storage;
import org.apache.hadoop.fs.Path;

/** A separate process that owns a run directory's lock until its stdin closes (or it is killed). */
public final class RunLockHolder {

    private RunLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Storage.path(args[0]);
        try (RunLock lock = RunLock.acquire(Storage.fs(dir, Storage.configuration()), dir, dir.getName())) {
            System.out.println("holding " + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the parent closes our stdin
            }
        }
    }
}
