package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import io.podheitor.hpc.lustre.Fid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code lfs fid2path --print-fid [--print0] DEVICE FID...}: one entry per path of each FID, each
 * {@code FID blank PATH}, ended by NUL with {@code --print0} (a path may contain a newline) or else by a newline.
 * The FID is printed as it was given; brackets are optional. Paths stay bytes.
 */
public final class Fid2PathOutput {
    private Fid2PathOutput() {
    }

    /** The paths printed for each FID, in order. */
    public static Map<Fid, List<byte[]>> parse(byte[] out, boolean print0) throws ChangelogFormatException {
        Map<Fid, List<byte[]>> paths = new LinkedHashMap<>();
        byte end = print0 ? (byte) 0 : (byte) '\n';
        int entry = 0;
        int i = 0;
        while (i < out.length) {
            int stop = i;
            while (stop < out.length && out[stop] != end) {
                stop++;
            }
            entry++;
            int blank = i;
            while (blank < stop && out[blank] != ' ') {
                blank++;
            }
            Fid fid = blank < stop ? Fids.parse(out, i, blank) : null;
            if (fid == null || blank + 1 >= stop) {
                throw new ChangelogFormatException(entry, "lfs fid2path: expected 'FID PATH', got "
                        + new String(out, i, Math.min(stop - i, 200), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            paths.computeIfAbsent(fid, f -> new ArrayList<>()).add(Arrays.copyOfRange(out, blank + 1, stop));
            i = stop + 1;
        }
        return paths;
    }
}
