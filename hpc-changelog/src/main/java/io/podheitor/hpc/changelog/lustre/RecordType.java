package io.podheitor.hpc.changelog.lustre;

/**
 * The changelog record types, numbered as Lustre's {@code enum changelog_rec_type}; {@code lfs changelog} prints
 * each as its two-digit number followed by the name ({@code 01CREAT}, {@code 16HSM}, {@code 22RESYNC}). A number
 * this list does not know (a newer Lustre) is {@link #UNKNOWN}: the record is still read, and the collapse treats
 * it as a change of its target.
 */
public enum RecordType {
    MARK(0), CREAT(1), MKDIR(2), HLINK(3), SLINK(4), MKNOD(5), UNLNK(6), RMDIR(7), RENME(8), RNMTO(9),
    OPEN(10), CLOSE(11), LYOUT(12), TRUNC(13), SATTR(14), XATTR(15), HSM(16), MTIME(17), CTIME(18), ATIME(19),
    MIGRT(20), FLRW(21), RESYNC(22), GXATR(23), NOPEN(24), UNKNOWN(-1);

    private static final RecordType[] BY_NUMBER = new RecordType[25];

    static {
        for (RecordType t : values()) {
            if (t.number >= 0) {
                BY_NUMBER[t.number] = t;
            }
        }
    }

    private final int number;

    RecordType(int number) {
        this.number = number;
    }

    /** The number Lustre gives the type; -1 for {@link #UNKNOWN}. */
    public int number() {
        return number;
    }

    /** The type of this number, or {@link #UNKNOWN}. */
    public static RecordType of(int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : UNKNOWN;
    }

    /** The token {@code lfs changelog} prints for this type, without its padding ({@code "01CREAT"}). */
    public String token() {
        if (this == UNKNOWN) {
            throw new IllegalStateException("UNKNOWN has no token");
        }
        return String.format("%02d%s", number, name());
    }
}
