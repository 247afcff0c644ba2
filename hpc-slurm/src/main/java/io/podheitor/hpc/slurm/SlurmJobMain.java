package io.podheitor.hpc.slurm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small command around {@link SlurmSubmitter} for tests/slurm/run.sh and by hand:
 * <pre>
 * java -cp hpc-slurm.jar io.podheitor.hpc.slurm.SlurmJobMain [--partition P] [--cpus N] [--mem M]
 *     [--time-seconds S] [--job-name N] [--output FILE] [--extra ARG]... [--env NAME]...
 *     [--pending-timeout S] [--deadline S] [--poll-ms MS] [--cancel-when-running]
 *     (--wrap COMMAND | --script FILE [ARG...])
 * </pre>
 * {@code --env NAME} passes this process's variable NAME to the job (its value through sbatch's environment).
 * Prints {@code submitted ID}, {@code state STATE} at each change, {@code cancel ok|ERROR} and last
 * {@code outcome TYPE MESSAGE}; exit 0 when the job COMPLETED, 1 otherwise, 2 on a usage error.
 */
public final class SlurmJobMain {
    private SlurmJobMain() {
    }

    public static void main(String[] argv) throws InterruptedException {
        JobCommand command = null;
        SbatchRequest.Builder b;
        List<String> extra = new ArrayList<>();
        List<String> env = new ArrayList<>();
        String partition = null, mem = null, jobName = null, output = null;
        Integer cpus = null;
        Duration time = null, pending = Duration.ofSeconds(60), deadline = Duration.ofSeconds(300);
        Duration poll = Duration.ofMillis(250);
        boolean cancelWhenRunning = false;
        try {
            for (int i = 0; i < argv.length; i++) {
                String a = argv[i];
                switch (a) {
                    case "--partition" -> partition = argv[++i];
                    case "--cpus" -> cpus = Integer.parseInt(argv[++i]);
                    case "--mem" -> mem = argv[++i];
                    case "--time-seconds" -> time = Duration.ofSeconds(Long.parseLong(argv[++i]));
                    case "--job-name" -> jobName = argv[++i];
                    case "--output" -> output = argv[++i];
                    case "--extra" -> extra.add(argv[++i]);
                    case "--env" -> env.add(argv[++i]);
                    case "--pending-timeout" -> pending = Duration.ofSeconds(Long.parseLong(argv[++i]));
                    case "--deadline" -> deadline = Duration.ofSeconds(Long.parseLong(argv[++i]));
                    case "--poll-ms" -> poll = Duration.ofMillis(Long.parseLong(argv[++i]));
                    case "--cancel-when-running" -> cancelWhenRunning = true;
                    case "--wrap" -> command = new JobCommand.Wrap(argv[++i]);
                    case "--script" -> {
                        Path f = Path.of(argv[++i]);
                        command = new JobCommand.Script(f, List.of(argv).subList(i + 1, argv.length));
                        i = argv.length;
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (command == null) {
                throw new IllegalArgumentException("--wrap or --script is required");
            }
            b = SbatchRequest.builder(command).extraArgs(extra);
            if (partition != null) b.partition(partition);
            if (cpus != null) b.cpus(cpus);
            if (mem != null) b.mem(mem);
            if (time != null) b.time(time);
            if (jobName != null) b.jobName(jobName);
            if (output != null) b.output(output);
            for (String n : env) {
                String v = System.getenv(n);
                if (v == null) {
                    throw new IllegalArgumentException("--env " + n + ": not in this process's environment");
                }
                b.env(n, v);
            }
        } catch (RuntimeException e) {
            System.err.println("SlurmJobMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        SlurmSubmitter s = new SlurmSubmitter(SlurmTools.onPath());
        WaitPolicy policy = new WaitPolicy(pending, deadline, poll, 5);
        JobId[] id = new JobId[1];
        boolean[] cancelled = new boolean[1];
        boolean cwr = cancelWhenRunning;
        JobOutcome o = s.run(b.build(), policy, j -> {
            id[0] = j;
            System.out.println("submitted " + j.arg() + j.cluster().map(c -> ";" + c).orElse(""));
            System.out.flush();
        }, st -> {
            System.out.println("state " + st);
            System.out.flush();
            if (cwr && !cancelled[0] && st.kind() == JobState.Kind.ACTIVE) {
                cancelled[0] = true;
                Optional<String> err;
                try {
                    err = s.cancel(id[0]);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    err = Optional.of("interrupted");
                }
                System.out.println("cancel " + err.orElse("ok"));
                System.out.flush();
            }
        });
        System.out.println("outcome " + o.getClass().getSimpleName() + " " + o.message());
        System.exit(o.ok() ? 0 : 1);
    }
}
