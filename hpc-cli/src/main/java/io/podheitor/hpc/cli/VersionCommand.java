package io.podheitor.hpc.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code podheitor-hpc version}: the release, the PTCOMM protocol and the Java runtime. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version, the PTCOMM protocol version and the Java runtime.")
public final class VersionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    static String version() {
        String v = PodheitorCli.class.getPackage().getImplementationVersion();
        return v != null ? v : "development build";
    }

    static String describe() {
        return "podheitor-hpc " + version() + " (PTCOMM protocol 1, Java " + Runtime.version() + ")";
    }

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        out.println(describe());
        out.flush();
    }

    /** For --version. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {describe()};
        }
    }
}
