package io.podheitor.hpc.backend.job;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Job block of docs/ptcomm.md §2 (unknown lines are ignored, for forward compatibility).
 *
 * @param type    'B' backup, 'E' estimate, 'R' restore (0 if not sent)
 * @param level   'F', 'I' or 'D' (0 if not sent)
 * @param since   Since in unix seconds, or -1 when not sent
 * @param replace restore replace mode 'a', 'w', 'n' or 'o' (default 'a')
 * @param pipeline restore: the shim asks for the pipelined restore (Job line {@code Pipeline=1}, docs/ptcomm.md §5.1)
 * @param endStatus the shim will send the job's outcome with END (Job line {@code EndStatus=1}, docs/ptcomm.md §6)
 * @param handoffFd backup: the descriptor of the handoff socket the shim gave this process (Job line
 *                  {@code Handoff=<fd>}, docs/ptcomm.md §4.1c), or -1 (none offered)
 */
public record JobInfo(String name, long jobId, char type, char level, long since, boolean accurate,
        byte[] where, byte[] regexWhere, char replace, int fdVersion, boolean pipeline, boolean endStatus,
        int handoffFd) {

    public JobInfo(String name, long jobId, char type, char level, long since, boolean accurate, byte[] where,
            byte[] regexWhere, char replace, int fdVersion, boolean pipeline, boolean endStatus) {
        this(name, jobId, type, level, since, accurate, where, regexWhere, replace, fdVersion, pipeline, endStatus, -1);
    }

    public JobInfo(String name, long jobId, char type, char level, long since, boolean accurate, byte[] where,
            byte[] regexWhere, char replace, int fdVersion, boolean pipeline) {
        this(name, jobId, type, level, since, accurate, where, regexWhere, replace, fdVersion, pipeline, false);
    }

    public JobInfo(String name, long jobId, char type, char level, long since, boolean accurate, byte[] where,
            byte[] regexWhere, char replace, int fdVersion) {
        this(name, jobId, type, level, since, accurate, where, regexWhere, replace, fdVersion, false);
    }

    public static JobInfo empty() {
        return new JobInfo("", 0, (char) 0, (char) 0, -1, false, new byte[0], new byte[0], 'a', 0);
    }

    /** Incremental or Differential (the levels that compare with an earlier backup). */
    public boolean isIncremental() {
        return level == 'I' || level == 'D';
    }

    /** Parses the Job lines ("Key=Value"); malformed numbers are an error naming the line. */
    public static JobInfo parse(List<byte[]> lines) throws BadRequestException {
        JobInfo j = empty();
        String name = j.name;
        long jobId = j.jobId;
        char type = j.type;
        char level = j.level;
        long since = j.since;
        boolean accurate = j.accurate;
        byte[] where = j.where;
        byte[] regexWhere = j.regexWhere;
        char replace = j.replace;
        int fdVersion = j.fdVersion;
        boolean pipeline = false;
        boolean endStatus = false;
        int handoffFd = -1;
        for (byte[] line : lines) {
            int eq = indexOf(line, (byte) '=');
            if (eq < 0) {
                continue;
            }
            String key = new String(line, 0, eq, StandardCharsets.US_ASCII);
            byte[] raw = java.util.Arrays.copyOfRange(line, eq + 1, line.length);
            String value = new String(raw, StandardCharsets.UTF_8);
            switch (key) {
                case "Name" -> name = value;
                case "JobID" -> jobId = number(key, value);
                case "Type" -> type = letter(key, value, "BER");
                case "Level" -> level = letter(key, value, "FID");
                case "Since" -> since = number(key, value);
                case "Accurate" -> accurate = value.equals("1");
                case "Where" -> where = raw;
                case "RegexWhere" -> regexWhere = raw;
                case "Replace" -> replace = letter(key, value, "awno");
                case "FDVersion" -> fdVersion = (int) number(key, value);
                case "Pipeline" -> pipeline = value.equals("1");
                case "EndStatus" -> endStatus = value.equals("1");
                case "Handoff" -> {
                    long fd = number(key, value);
                    if (fd < 3 || fd > 1_000_000) {
                        throw new BadRequestException("bad job line Handoff=\"" + value + "\": not a descriptor >= 3");
                    }
                    handoffFd = (int) fd;
                }
                default -> {
                    // forward compatible: unknown job lines are ignored
                }
            }
        }
        return new JobInfo(name, jobId, type, level, since, accurate, where, regexWhere, replace, fdVersion, pipeline,
                endStatus, handoffFd);
    }

    private static long number(String key, String value) throws BadRequestException {
        try {
            long v = Long.parseLong(value);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new BadRequestException("bad job line " + key + "=\"" + value + "\": not a number");
        }
    }

    private static char letter(String key, String value, String allowed) throws BadRequestException {
        if (value.length() != 1 || allowed.indexOf(value.charAt(0)) < 0) {
            throw new BadRequestException("bad job line " + key + "=\"" + value + "\": expected one of "
                    + String.join(", ", allowed.split("")));
        }
        return value.charAt(0);
    }

    static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
