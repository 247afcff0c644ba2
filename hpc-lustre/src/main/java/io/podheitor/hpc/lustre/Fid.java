package io.podheitor.hpc.lustre;

/**
 * A Lustre File IDentifier ({@code struct lu_fid}: {@code __u64 f_seq; __u32 f_oid; __u32 f_ver}). The sequence
 * names the server that holds the object (each MDT serves its own sequence ranges), the object id numbers it
 * within the sequence.
 *
 * @param seq the sequence, unsigned 64 bits
 * @param oid the object id, unsigned 32 bits
 * @param ver the version, unsigned 32 bits
 */
public record Fid(long seq, int oid, int ver) {
    /** As Lustre prints a FID ({@code DFID}, {@code "[%#llx:0x%x:0x%x]"}): a zero sequence is {@code 0}, not 0x0. */
    @Override
    public String toString() {
        return "[" + (seq == 0 ? "0" : "0x" + Long.toHexString(seq)) + ":0x" + Integer.toHexString(oid) + ":0x"
                + Integer.toHexString(ver) + "]";
    }
}
