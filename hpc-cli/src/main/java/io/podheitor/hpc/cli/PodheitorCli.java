package io.podheitor.hpc.cli;

import io.podheitor.hpc.cli.doctor.DoctorCommand;
import io.podheitor.hpc.cli.genfileset.GenFilesetCommand;
import io.podheitor.hpc.cli.shard.ShardProbeCommand;
import io.podheitor.hpc.cli.throttle.ThrottleDaemonCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The operator CLI {@code podheitor-hpc}. */
@Command(name = "podheitor-hpc",
        description = "Operator tool of the podheitor-hpc Bacula plugin for HPC file systems.",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        subcommands = {VersionCommand.class, WalkCommand.class, BenchCommand.class, DoctorCommand.class,
                ShardProbeCommand.class, GenFilesetCommand.class, ThrottleDaemonCommand.class,
                CommandLine.HelpCommand.class})
public final class PodheitorCli implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new PodheitorCli()).execute(args));
    }
}
