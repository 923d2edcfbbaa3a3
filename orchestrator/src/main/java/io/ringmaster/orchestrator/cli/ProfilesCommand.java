package io.ringmaster.orchestrator.cli;

import io.ringmaster.orchestrator.job.ClusterProfile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = "List the built-in cluster profiles (gpu-configs/); a job selects one with `cluster: <name>`"
                + " or a profile file's path.")
final class ProfilesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.printf("%-12s %-5s %s%n", "profile", "GPUs", "description");
        ClusterProfile.describeBuiltIns().forEach(System.out::println);
        return 0;
    }
}
