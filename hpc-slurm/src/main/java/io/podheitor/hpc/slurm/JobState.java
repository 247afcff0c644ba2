package io.podheitor.hpc.slurm;

import java.util.Locale;
import java.util.Objects;

/**
 * A Slurm job state as {@code squeue -o %T} (or {@code sacct -o State}) names it, with the class the submitter acts
 * on. A name this code does not know is kept as it was printed ({@link Kind#UNKNOWN}).
 *
 * @param name   the state's name, upper case ({@code PENDING}, {@code RUNNING}, {@code CANCELLED}, ...)
 * @param kind   what it means to the submitter
 * @param reason squeue's reason ({@code %r}, e.g. {@code Resources}, {@code ReqNodeNotAvail}), or "" when none
 */
public record JobState(String name, Kind kind, String reason) {

    /** What a state means to the submitter. */
    public enum Kind {
        /** Waiting for resources or being set up: counts against the pending timeout. */
        WAITING,
        /** Running (or ending: {@code COMPLETING}, still on its node). */
        ACTIVE,
        /** Ended well: {@code COMPLETED}. */
        DONE,
        /** Ended otherwise: failed, cancelled, timed out, node failure, out of memory, preempted, ... */
        ENDED_BADLY,
        /** A name this code does not know: polled again. */
        UNKNOWN
    }

    public JobState {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * The state of one name. sacct prints {@code CANCELLED by 0}: only the first word is the state; squeue's short
     * forms ({@code PD}, {@code R}, {@code CG}, {@code CD}, {@code CA}, {@code F}, {@code TO}, ...) are accepted too.
     */
    public static JobState of(String printed, String reason) {
        String n = printed.strip();
        int sp = n.indexOf(' ');
        if (sp > 0) {
            n = n.substring(0, sp);
        }
        n = n.toUpperCase(Locale.ROOT);
        n = switch (n) {
            case "PD" -> "PENDING";
            case "R" -> "RUNNING";
            case "CG" -> "COMPLETING";
            case "CD" -> "COMPLETED";
            case "CA" -> "CANCELLED";
            case "F" -> "FAILED";
            case "TO" -> "TIMEOUT";
            case "NF" -> "NODE_FAIL";
            case "OOM" -> "OUT_OF_MEMORY";
            case "PR" -> "PREEMPTED";
            case "BF" -> "BOOT_FAIL";
            case "DL" -> "DEADLINE";
            case "CF" -> "CONFIGURING";
            case "S" -> "SUSPENDED";
            case "ST" -> "STOPPED";
            case "RQ" -> "REQUEUED";
            case "RH" -> "REQUEUE_HOLD";
            case "RF" -> "REQUEUE_FED";
            case "RS" -> "RESIZING";
            case "RD" -> "RESV_DEL_HOLD";
            case "RV" -> "REVOKED";
            case "SI" -> "SIGNALING";
            case "SE" -> "SPECIAL_EXIT";
            case "SO" -> "STAGE_OUT";
            default -> n;
        };
        Kind k = switch (n) {
            case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SUSPENDED",
                 "STOPPED" -> Kind.WAITING;
            case "RUNNING", "COMPLETING", "RESIZING", "SIGNALING", "STAGE_OUT" -> Kind.ACTIVE;
            case "COMPLETED" -> Kind.DONE;
            case "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL",
                 "DEADLINE", "REVOKED", "SPECIAL_EXIT" -> Kind.ENDED_BADLY;
            default -> Kind.UNKNOWN;
        };
        return new JobState(n, k, reason.strip());
    }

    public boolean ended() {
        return kind == Kind.DONE || kind == Kind.ENDED_BADLY;
    }

    @Override
    public String toString() {
        return reason.isEmpty() || reason.equals("None") ? name : name + " (" + reason + ")";
    }
}
