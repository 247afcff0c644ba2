package io.podheitor.hpc.cli;

import io.podheitor.hpc.cli.bench.BenchBackupCommand;
import io.podheitor.hpc.cli.bench.BenchWalkCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code podheitor-hpc bench walk|backup}: measurements against the reference tools (docs/bench.md). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: walker vs find/fdfind (walk), plugin vs stock bacula-fd (backup).",
        subcommands = {BenchWalkCommand.class, BenchBackupCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: walk or backup");
    }
}
