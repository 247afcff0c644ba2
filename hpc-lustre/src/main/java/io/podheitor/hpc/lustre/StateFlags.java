package io.podheitor.hpc.lustre;

/**
 * {@code os_state} of {@code struct obd_statfs} as the letters {@code lfs df -v} prints (lustre_user.h,
 * {@code obd_statfs_state_name_find}): {@code D} degraded, {@code R} read-only, {@code N} no-create, {@code ?} an
 * obsolete bit, {@code S} out of space, {@code I} out of inodes, and the informational {@code a} (aggregate) and
 * {@code f} (flash); a remainder of unknown bits in octal, e.g. {@code (02000)}.
 */
final class StateFlags {
    private static final int[] BITS = {0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x100, 0x200};
    private static final char[] NAMES = {'D', 'R', 'N', '?', '?', 'S', 'I', 'a', 'f'};

    private StateFlags() {
    }

    static String letters(int state) {
        StringBuilder b = new StringBuilder();
        int rest = state;
        while (rest != 0) {
            int i = 0;
            while (i < BITS.length && (rest & BITS[i]) == 0) {
                i++;
            }
            if (i == BITS.length) {
                b.append("(0").append(Integer.toOctalString(rest)).append(')');
                break;
            }
            b.append(NAMES[i]);
            rest ^= BITS[i];
        }
        return b.toString();
    }
}
