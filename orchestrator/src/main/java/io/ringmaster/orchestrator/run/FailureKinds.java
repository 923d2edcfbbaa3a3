package io.ringmaster.orchestrator.run;

import io.ringmaster.orchestrator.dl4jspark.IncompleteEpochException;
import io.ringmaster.orchestrator.dl4jspark.ParameterServerException;
import io.ringmaster.orchestrator.dl4jspark.TrainingStalledException;
import io.ringmaster.data.DataFormatException;
import io.ringmaster.orchestrator.job.JobConfigException;
import io.ringmaster.workers.NdBackends;
import io.ringmaster.workers.ring.RingException;
import io.ringmaster.workers.train.FaultInjection;
import io.ringmaster.workers.train.TrainingDivergedException;
import java.io.FileNotFoundException;
import java.util.HashSet;
import java.util.Set;

/** Which failures are expected rather than bugs: reported in one line, and which of them a relaunch cannot fix. */
public final class FailureKinds {

    /** Bad data, bad settings, a diverged model, a backend that cannot load: relaunching the gang would fail again. */
    public static final Set<String> PERMANENT = Set.of(DataFormatException.class.getName(),
            JobConfigException.class.getName(), IllegalArgumentException.class.getName(),
            TrainingDivergedException.class.getName(), NdBackends.BackendUnavailableException.class.getName(),
            ParameterServerException.class.getName(), io.ringmaster.data.UnwritableStorageException.class.getName());

    /**
     * Everything a user can act on from one line: the permanent ones, a lost peer, a missing file, an
     * injected fault.
     */
    public static final Set<String> USER_FACING;

    static {
        Set<String> s = new HashSet<>(PERMANENT);
        s.add(FileNotFoundException.class.getName());
        s.add(RingException.class.getName());
        s.add(FaultInjection.InjectedFault.class.getName());
        s.add(TrainingStalledException.class.getName());
        s.add(IncompleteEpochException.class.getName());
        s.add(RunInUseException.class.getName());
        s.add(JobStoppedException.class.getName());
        s.add(io.ringmaster.orchestrator.tune.StudyFailedException.class.getName());
        USER_FACING = Set.copyOf(s);
    }

    private FailureKinds() {
    }
}
