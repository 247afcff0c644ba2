package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link FidResolver} through {@code lfs fid2path --print-fid [--print0] DEVICE FID...}, {@code batch} FIDs per
 * run. DEVICE is the file system name or its mount point (prefer the name: it is ASCII, the mount point may not
 * be). lfs exits non-zero when any FID is not found and says so on standard error; a FID without a path in the
 * output is missing. Only when no FID of a batch was found and standard error is not only "not found" messages
 * is the run an error.
 */
public final class LfsFid2Path implements FidResolver {
    private final Tool lfs;
    private final String device;
    private final int batch;
    private final boolean print0;

    /**
     * @param print0 pass {@code --print0} (lfs 2.15 and later): NUL-ended paths, safe for names with a newline
     */
    public LfsFid2Path(Tool lfs, String device, int batch, boolean print0) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be positive");
        }
        this.lfs = lfs;
        this.device = device;
        this.batch = batch;
        this.print0 = print0;
    }

    @Override
    public Resolution resolve(Collection<Fid> fids) throws IOException {
        Map<Fid, List<byte[]>> paths = new LinkedHashMap<>();
        Set<Fid> missing = new LinkedHashSet<>();
        List<Fid> all = new ArrayList<>(new LinkedHashSet<>(fids));
        for (int from = 0; from < all.size(); from += batch) {
            List<Fid> part = all.subList(from, Math.min(all.size(), from + batch));
            List<String> args = new ArrayList<>(part.size() + 4);
            args.add("fid2path");
            args.add("--print-fid");
            if (print0) {
                args.add("--print0");
            }
            args.add(device);
            for (Fid f : part) {
                args.add(Fids.format(f));
            }
            Tool.Result r = lfs.run(args);
            Map<Fid, List<byte[]>> found = Fid2PathOutput.parse(r.stdout(), print0);
            if (found.isEmpty() && r.exit() != 0 && !onlyNotFound(r.stderr())) {
                throw new IOException("lfs fid2path " + device + " failed (exit " + r.exit() + "): " + r.stderr());
            }
            for (Fid f : part) {
                List<byte[]> p = found.get(f);
                if (p == null) {
                    missing.add(f);
                } else {
                    paths.put(f, p);
                }
            }
        }
        return new Resolution(paths, missing);
    }

    private static boolean onlyNotFound(String stderr) {
        if (stderr.isBlank()) {
            return false;
        }
        for (String line : stderr.split("\n")) {
            if (!line.contains("No such file or directory") && !line.contains("not found")) {
                return false;
            }
        }
        return true;
    }
}
