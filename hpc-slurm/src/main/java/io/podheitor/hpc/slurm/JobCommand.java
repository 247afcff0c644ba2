package io.podheitor.hpc.slurm;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** What the batch job runs. */
public sealed interface JobCommand {

    /**
     * A batch script and its arguments: {@code sbatch [options] SCRIPT ARGS...} (sbatch copies the script into the
     * job; its {@code #SBATCH} lines apply unless an option overrides them).
     */
    record Script(Path file, List<String> args) implements JobCommand {
        public Script {
            Objects.requireNonNull(file, "file");
            args = List.copyOf(args);
            for (String a : args) {
                SbatchRequest.noNul("script argument", a);
            }
        }
    }

    /**
     * One shell command line: {@code sbatch --wrap=COMMAND} (sbatch makes {@code #!/bin/sh} and the command the
     * script). The text is visible to anyone who can run {@code scontrol show job}: no secret in it.
     */
    record Wrap(String command) implements JobCommand {
        public Wrap {
            SbatchRequest.noNul("wrap command", command);
            if (command.isBlank()) {
                throw new IllegalArgumentException("empty wrap command");
            }
        }
    }
}
